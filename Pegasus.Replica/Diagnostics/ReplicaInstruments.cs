using System.Diagnostics;
using System.Diagnostics.Metrics;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Replica.Diagnostics;

/// <summary>
/// The replica server's metrics, all on one <see cref="Meter"/> named <see cref="ReplicaTelemetry.Name"/>.
/// </summary>
public sealed class ReplicaInstruments
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<int> _writeBatchSize;
    private readonly Counter<long> _expiredSwept;
    private readonly Counter<long> _beacons;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    /// <param name="meterFactory">The host's meter factory, so the meter is disposed with the host.</param>
    public ReplicaInstruments(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(ReplicaTelemetry.Name);
        _requests = Meter.CreateCounter<long>(
            "pegasus.replica.requests", "{request}", "Data requests answered, by operation and error code.");
        _requestDuration = Meter.CreateHistogram<double>(
            "pegasus.replica.request.duration", "s", "Time from receiving a data request to queueing its response.");
        _writeBatchSize = Meter.CreateHistogram<int>(
            "pegasus.replica.write.batch_size", "{write}", "Writes one writer-loop iteration applied.");
        _expiredSwept = Meter.CreateCounter<long>(
            "pegasus.replica.expired.swept", "{record}", "Expired records removed by TTL sweeps.");
        _beacons = Meter.CreateCounter<long>(
            "pegasus.replica.beacons", "{beacon}", "Beacon rounds to the meta servers, by result.");
    }

    /// <summary>Gets the meter, for observable instruments owned by other components.</summary>
    public Meter Meter { get; }

    /// <summary>Records one answered data request.</summary>
    /// <param name="operation">The request's operation.</param>
    /// <param name="error">The response's error code.</param>
    /// <param name="startTimestamp">A <see cref="Stopwatch"/> timestamp taken when the request arrived.</param>
    public void RequestCompleted(DataRequest.OpOneofCase operation, ErrorCode error, long startTimestamp)
    {
        var operationTag = new KeyValuePair<string, object?>("pegasus.operation", operation.ToString());
        if (_requests.Enabled)
        {
            _requests.Add(1, operationTag, new KeyValuePair<string, object?>("pegasus.error", error.ToString()));
        }

        if (_requestDuration.Enabled)
        {
            _requestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, operationTag);
        }
    }

    /// <summary>Records how many writes one writer-loop iteration applied.</summary>
    /// <param name="count">The number of writes.</param>
    public void WriteBatchApplied(int count)
    {
        if (_writeBatchSize.Enabled)
        {
            _writeBatchSize.Record(count);
        }
    }

    /// <summary>Records records removed by a TTL sweep.</summary>
    /// <param name="count">The number of records.</param>
    public void ExpiredSwept(int count)
    {
        if (_expiredSwept.Enabled && count > 0)
        {
            _expiredSwept.Add(count);
        }
    }

    /// <summary>Records the outcome of one beacon round.</summary>
    /// <param name="result">"ok", "rejected" or "unreachable".</param>
    public void BeaconCompleted(string result)
    {
        if (_beacons.Enabled)
        {
            _beacons.Add(1, new KeyValuePair<string, object?>("pegasus.result", result));
        }
    }
}
