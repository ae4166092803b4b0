using System.Diagnostics;
using HdrHistogram;

namespace Pegasus.Bench.Workload;

/// <summary>
/// What one benchmark loop measured. Each loop owns one, so recording needs no locks or atomics
/// (HdrHistogram's <see cref="LongHistogram"/> is not thread-safe); they are merged after the run.
/// </summary>
public sealed class WorkerStats
{
    /// <summary>Histograms hold 3 significant digits: 0.1 % resolution at any latency.</summary>
    public const int SignificantDigits = 3;

    private readonly long _highestTrackableMicros;

    /// <summary>Initializes a new instance of the <see cref="WorkerStats"/> class.</summary>
    /// <param name="highestTrackableMicros">The largest latency the histogram can hold, in microseconds.</param>
    public WorkerStats(long highestTrackableMicros)
    {
        _highestTrackableMicros = highestTrackableMicros;
        Latency = new LongHistogram(highestTrackableMicros, SignificantDigits);
    }

    /// <summary>Gets the latencies of the measured successful operations, in microseconds.</summary>
    public LongHistogram Latency { get; }

    /// <summary>Gets the measured failed operations by kind (a Pegasus error code, or a wrong read result).</summary>
    public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the measured successful reads.</summary>
    public long Reads { get; private set; }

    /// <summary>Gets the measured successful writes.</summary>
    public long Writes { get; private set; }

    /// <summary>Gets the failures during the warm-up (not part of the results, but reported).</summary>
    public long WarmupErrors { get; private set; }

    /// <summary>Gets the <see cref="Stopwatch"/> timestamp at which the last measured operation finished; 0 when none.</summary>
    public long LastFinish { get; private set; }

    /// <summary>Records a successful measured operation.</summary>
    /// <param name="read">Whether it was a read.</param>
    /// <param name="start">Its start timestamp.</param>
    /// <param name="end">Its end timestamp.</param>
    public void RecordSuccess(bool read, long start, long end)
    {
        var micros = Stopwatch.GetElapsedTime(start, end).Ticks / TimeSpan.TicksPerMicrosecond;

        // Clamped rather than thrown: an operation cannot outlive its timeout by much, and the bound is far above it.
        Latency.RecordValue(Math.Clamp(micros, 1, _highestTrackableMicros));
        if (read)
        {
            Reads++;
        }
        else
        {
            Writes++;
        }

        LastFinish = end;
    }

    /// <summary>Records a failed measured operation.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="end">Its end timestamp.</param>
    public void RecordError(string kind, long end)
    {
        Errors[kind] = Errors.GetValueOrDefault(kind) + 1;
        LastFinish = end;
    }

    /// <summary>Records a failure during the warm-up.</summary>
    public void RecordWarmupError() => WarmupErrors++;
}
