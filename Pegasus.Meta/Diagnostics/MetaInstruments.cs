using System.Diagnostics.Metrics;

namespace Pegasus.Meta.Diagnostics;

/// <summary>The meta server's metrics, on the <c>Pegasus.Meta</c> meter.</summary>
public sealed class MetaInstruments
{
    /// <summary>The meter's name (exported by the service defaults' <c>Pegasus.*</c> rule).</summary>
    public const string MeterName = "Pegasus.Meta";

    private readonly Meter _meter;
    private readonly Counter<long> _beaconsReceived;
    private readonly Counter<long> _tableOperations;
    private readonly Counter<long> _rebalanceMoves;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    /// <param name="meterFactory">The meter factory.</param>
    public MetaInstruments(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _beaconsReceived = _meter.CreateCounter<long>(
            "pegasus.meta.beacons", unit: "{beacon}", description: "Beacons received from replica servers.");
        _tableOperations = _meter.CreateCounter<long>(
            "pegasus.meta.table.operations", unit: "{operation}", description: "Table creates and drops, by operation and result.");
        _rebalanceMoves = _meter.CreateCounter<long>(
            "pegasus.meta.rebalance.moves", unit: "{move}", description: "Balance moves started, by kind (primary or replica).");
    }

    /// <summary>Counts one beacon.</summary>
    public void BeaconReceived()
    {
        if (_beaconsReceived.Enabled)
        {
            _beaconsReceived.Add(1);
        }
    }

    /// <summary>Counts one table operation.</summary>
    /// <param name="operation">"create" or "drop".</param>
    /// <param name="result">The error code name, "Ok" on success.</param>
    public void TableOperation(string operation, string result)
    {
        if (_tableOperations.Enabled)
        {
            _tableOperations.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("result", result));
        }
    }

    /// <summary>Counts one balance move started.</summary>
    /// <param name="kind">"primary" or "replica".</param>
    public void RebalanceMoveStarted(string kind)
    {
        if (_rebalanceMoves.Enabled)
        {
            _rebalanceMoves.Add(1, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    /// <summary>Publishes the number of available tables.</summary>
    /// <param name="observe">Reads the current count.</param>
    public void ObserveTables(Func<int> observe)
        => _meter.CreateObservableGauge("pegasus.meta.tables", observe, unit: "{table}", description: "Available tables.");

    /// <summary>Publishes the number of alive replica servers.</summary>
    /// <param name="observe">Reads the current count.</param>
    public void ObserveAliveNodes(Func<int> observe)
        => _meter.CreateObservableGauge("pegasus.meta.nodes.alive", observe, unit: "{node}", description: "Replica servers within their grace period.");
}
