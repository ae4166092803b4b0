using System.Diagnostics;
using Pegasus.Client;

namespace Pegasus.Bench.Workload;

/// <summary>
/// Runs the closed-loop workload: <see cref="BenchSettings.Concurrency"/> async loops, each issuing its next
/// operation as soon as the previous one answers, first for the warm-up (not measured), then for the duration.
/// The run is bounded by the clock: a loop starts no operation after the end, and each operation has a timeout.
/// </summary>
/// <param name="table">The opened table.</param>
/// <param name="keys">The key space.</param>
/// <param name="settings">The run's settings.</param>
public sealed class BenchmarkRunner(PegasusTable table, KeySpace keys, BenchSettings settings)
{
    /// <summary>Writes every key once, so that reads find them; a failure ends the benchmark.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>How long it took.</returns>
    /// <exception cref="PegasusException">A write failed (after the client's own retries).</exception>
    public async Task<TimeSpan> PreloadAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var next = -1;
        var loops = Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(async () =>
        {
            // Interlocked hand-out: every key is written exactly once whatever the loops' speeds.
            for (var index = Interlocked.Increment(ref next); index < keys.Count; index = Interlocked.Increment(ref next))
            {
                await table.SetAsync(keys.HashKey(index), keys.SortKey, keys.Value, 0, settings.OperationTimeout, cancellationToken)
                    .ConfigureAwait(false);
            }
        }, cancellationToken));
        await Task.WhenAll(loops).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Runs the warm-up and the measured phase.</summary>
    /// <param name="cancellationToken">Stops the loops early (their measurements so far are still returned).</param>
    /// <returns>The merged measurements.</returns>
    public async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        // Far above any operation's latency (each has a timeout), so clamping never hides a real value.
        var highestTrackableMicros = (long)Math.Max(TimeSpan.FromMinutes(1).TotalMicroseconds, settings.OperationTimeout.TotalMicroseconds * 4);
        var workers = Enumerable.Range(0, settings.Concurrency).Select(_ => new WorkerStats(highestTrackableMicros)).ToArray();
        var measureFrom = Stopwatch.GetTimestamp() + ToStopwatchTicks(settings.Warmup);
        var stopAt = measureFrom + ToStopwatchTicks(settings.Duration);
        var loops = workers.Select((stats, index) => Task.Run(
            () => RunLoopAsync(stats, new Random(index + 1), measureFrom, stopAt, cancellationToken), cancellationToken));
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped early (Ctrl+C): report what was measured so far.
        }

        return BenchResult.Merge(workers, measureFrom, highestTrackableMicros);
    }

    private async Task RunLoopAsync(WorkerStats stats, Random random, long measureFrom, long stopAt, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            if (start >= stopAt)
            {
                return;
            }

            var index = random.Next(keys.Count);
            var read = settings.Operation switch
            {
                BenchOperation.Get => true,
                BenchOperation.Mixed => random.Next(100) < settings.ReadPercent,
                _ => false,
            };
            string? error;
            try
            {
                error = read ? await GetAsync(index, cancellationToken).ConfigureAwait(false) : await SetAsync(index, cancellationToken).ConfigureAwait(false);
            }
            catch (PegasusException ex)
            {
                error = ex.Error.ToString();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            var end = Stopwatch.GetTimestamp();
            if (start < measureFrom)
            {
                if (error is not null)
                {
                    stats.RecordWarmupError();
                }
            }
            else if (error is null)
            {
                stats.RecordSuccess(read, start, end);
            }
            else
            {
                stats.RecordError(error, end);
            }
        }
    }

    private async Task<string?> GetAsync(int index, CancellationToken cancellationToken)
    {
        var value = await table.GetAsync(keys.HashKey(index), keys.SortKey, settings.OperationTimeout, cancellationToken).ConfigureAwait(false);

        // Every key was pre-loaded and nothing deletes: a miss or a different value is data loss, not a result.
        return value is null ? "ReadMissing" : value.Length != keys.Value.Length ? "ReadWrongSize" : null;
    }

    private async Task<string?> SetAsync(int index, CancellationToken cancellationToken)
    {
        await table.SetAsync(keys.HashKey(index), keys.SortKey, keys.Value, 0, settings.OperationTimeout, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static long ToStopwatchTicks(TimeSpan value) => (long)(value.TotalSeconds * Stopwatch.Frequency);
}
