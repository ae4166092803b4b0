using HdrHistogram;

namespace Pegasus.Bench.Workload;

/// <summary>The merged measurements of every loop of one run.</summary>
/// <param name="Latency">Latencies of the successful measured operations, in microseconds.</param>
/// <param name="Reads">Successful measured reads.</param>
/// <param name="Writes">Successful measured writes.</param>
/// <param name="Elapsed">From the end of the warm-up until the last measured operation finished.</param>
/// <param name="Errors">Failed measured operations by kind.</param>
/// <param name="WarmupErrors">Failures during the warm-up.</param>
public sealed record BenchResult(
    LongHistogram Latency,
    long Reads,
    long Writes,
    TimeSpan Elapsed,
    IReadOnlyDictionary<string, long> Errors,
    long WarmupErrors)
{
    /// <summary>Gets the successful measured operations.</summary>
    public long Operations => Latency.TotalCount;

    /// <summary>Gets the failed measured operations.</summary>
    public long ErrorCount => Errors.Values.Sum();

    /// <summary>Gets the successful operations per second of the measured phase.</summary>
    public double OperationsPerSecond => Elapsed > TimeSpan.Zero ? Operations / Elapsed.TotalSeconds : 0;

    /// <summary>Merges the loops' measurements.</summary>
    /// <param name="workers">Every loop's stats.</param>
    /// <param name="measureFrom">The timestamp at which measuring started.</param>
    /// <param name="highestTrackableMicros">The histograms' bound.</param>
    /// <returns>The result.</returns>
    public static BenchResult Merge(IReadOnlyList<WorkerStats> workers, long measureFrom, long highestTrackableMicros)
    {
        var latency = new LongHistogram(highestTrackableMicros, WorkerStats.SignificantDigits);
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long reads = 0, writes = 0, warmupErrors = 0, lastFinish = 0;
        foreach (var worker in workers)
        {
            latency.Add(worker.Latency);
            reads += worker.Reads;
            writes += worker.Writes;
            warmupErrors += worker.WarmupErrors;
            lastFinish = Math.Max(lastFinish, worker.LastFinish);
            foreach (var (kind, count) in worker.Errors)
            {
                errors[kind] = errors.GetValueOrDefault(kind) + count;
            }
        }

        var elapsed = lastFinish > measureFrom ? System.Diagnostics.Stopwatch.GetElapsedTime(measureFrom, lastFinish) : TimeSpan.Zero;
        return new BenchResult(latency, reads, writes, elapsed, errors, warmupErrors);
    }
}
