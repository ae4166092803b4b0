using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pegasus.Client.Diagnostics;

/// <summary>The client's ActivitySource and metric instruments (both named <c>Pegasus.Client</c>).</summary>
internal sealed class ClientInstruments : IDisposable
{
    public const string Name = "Pegasus.Client";

    public static readonly ActivitySource ActivitySource = new(Name);

    // Owned only when no IMeterFactory was given; a factory's meters are disposed by the factory.
    private readonly Meter? _ownedMeter;
    private readonly Histogram<double> _operationDuration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _routeRefreshes;

    public ClientInstruments(IMeterFactory? meterFactory)
    {
        Meter meter;
        if (meterFactory is null)
        {
            meter = _ownedMeter = new Meter(Name);
        }
        else
        {
            meter = meterFactory.Create(Name);
        }

        _operationDuration = meter.CreateHistogram<double>(
            "pegasus.client.operation.duration", "s", "Duration of client operations, retries included.");
        _retries = meter.CreateCounter<long>(
            "pegasus.client.operation.retries", "{retry}", "Retries of client operations after retryable failures.");
        _routeRefreshes = meter.CreateCounter<long>(
            "pegasus.client.routing.refreshes", "{refresh}", "Routing table queries sent to meta servers.");
    }

    public void RecordOperation(string table, string operation, string outcome, TimeSpan elapsed)
    {
        if (_operationDuration.Enabled)
        {
            _operationDuration.Record(
                elapsed.TotalSeconds,
                new KeyValuePair<string, object?>("pegasus.table", table),
                new KeyValuePair<string, object?>("pegasus.operation", operation),
                new KeyValuePair<string, object?>("pegasus.outcome", outcome));
        }
    }

    public void RecordRetry(string table, string reason)
    {
        if (_retries.Enabled)
        {
            _retries.Add(1, new KeyValuePair<string, object?>("pegasus.table", table), new KeyValuePair<string, object?>("pegasus.reason", reason));
        }
    }

    public void RecordRouteRefresh(string table)
    {
        if (_routeRefreshes.Enabled)
        {
            _routeRefreshes.Add(1, new KeyValuePair<string, object?>("pegasus.table", table));
        }
    }

    public void Dispose() => _ownedMeter?.Dispose();
}
