using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Pegasus.Tests.Cluster;

/// <summary>
/// Counts the client's round trips per operation for one table, from the client's public
/// <c>pegasus.client.operation.duration</c> metric (one measurement per operation), e.g. to see that a scan
/// fetched several pages.
/// </summary>
internal sealed class ClientOperationCounter : IDisposable
{
    private readonly string _table;
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();

    public ClientOperationCounter(string table)
    {
        _table = table;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Pegasus.Client" && instrument.Name == "pegasus.client.operation.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>How many <paramref name="operation"/> calls (e.g. <c>Scan</c>, <c>GetScanner</c>) completed on the table.</summary>
    public int Count(string operation) => _counts.GetValueOrDefault(operation);

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? table = null;
        string? operation = null;
        foreach (var (key, tagValue) in tags)
        {
            if (key == "pegasus.table")
            {
                table = tagValue as string;
            }
            else if (key == "pegasus.operation")
            {
                operation = tagValue as string;
            }
        }

        if (table == _table && operation is not null)
        {
            _counts.AddOrUpdate(operation, 1, static (_, count) => count + 1);
        }
    }
}
