using System.Diagnostics;
using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Workload;

/// <summary>How the final reads went.</summary>
/// <param name="Keys">Keys to read.</param>
/// <param name="Read">Keys read successfully.</param>
/// <param name="Attempts">Read attempts (failed ones are in the history too).</param>
/// <param name="Unread">Keys no attempt could read within the bound.</param>
public sealed record FinalReadSummary(int Keys, int Read, int Attempts, IReadOnlyList<string> Unread);

/// <summary>
/// The logical client processes of a run: each runs one operation at a time (the next starts after the previous
/// returned), paced so that all of them together approach the target rate, until told to stop.
/// </summary>
/// <param name="executor">Runs and records single operations.</param>
/// <param name="keys">The keys.</param>
/// <param name="recorder">Where operations go.</param>
/// <param name="processes">How many processes.</param>
/// <param name="rate">Target operations per second over all processes; 0: back to back.</param>
/// <param name="seed">The run's seed; each process derives its own.</param>
public sealed class WorkloadRunner(OperationExecutor executor, KeySpace keys, HistoryRecorder recorder, int processes, int rate, int seed)
{
    private static readonly TimeSpan FinalReadRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs every process until <paramref name="stop"/> fires; each finishes the operation it is in first.</summary>
    /// <param name="stop">Ends the workload (after the current operations).</param>
    /// <param name="abort">Abandons the current operations too.</param>
    /// <returns>A task that completes when every process has stopped.</returns>
    public Task RunAsync(CancellationToken stop, CancellationToken abort)
        => Task.WhenAll(Enumerable.Range(0, processes).Select(process => Task.Run(() => RunProcessAsync(process, stop, abort), CancellationToken.None)));

    /// <summary>
    /// Reads every key once, as one more process after the others stopped, retrying a key whose read fails until
    /// <paramref name="bound"/> has passed; every attempt is recorded. These reads show lost writes.
    /// </summary>
    /// <param name="process">The reading process's number (one the workload did not use).</param>
    /// <param name="bound">How long all the reads together may take.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>What was read.</returns>
    public async Task<FinalReadSummary> FinalReadsAsync(int process, TimeSpan bound, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        var (read, attempts) = (0, 0);
        var unread = new List<string>();
        foreach (var key in keys.All)
        {
            while (true)
            {
                attempts++;
                var record = await executor.RunAsync(process, new PlannedOperation(key, HistoryOpKind.Get, null, null, null), cancellationToken).ConfigureAwait(false);
                recorder.Append(record);
                if (record.Status == HistoryStatus.Ok)
                {
                    read++;
                    break;
                }

                if (Stopwatch.GetTimestamp() >= deadline)
                {
                    unread.Add(key.Name);
                    break;
                }

                // Retry pacing of a bounded loop: the partition is still recovering.
                await Task.Delay(FinalReadRetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }

        return new FinalReadSummary(keys.All.Count, read, attempts, unread);
    }

    /// <summary>The seed of one process's choices, derived from the run's.</summary>
    /// <param name="runSeed">The run's seed.</param>
    /// <param name="process">The process.</param>
    /// <returns>The process's seed.</returns>
    public static int ProcessSeed(int runSeed, int process) => unchecked((runSeed * 7919) + process + 1);

    private async Task RunProcessAsync(int process, CancellationToken stop, CancellationToken abort)
    {
        var generator = new OperationGenerator(process, keys, ProcessSeed(seed, process));
        var pacing = new Random(ProcessSeed(seed, process) ^ 0x5bd1e995);
        var meanGap = rate > 0 ? TimeSpan.FromSeconds((double)processes / rate) : TimeSpan.Zero;
        while (!stop.IsCancellationRequested && !abort.IsCancellationRequested)
        {
            if (meanGap > TimeSpan.Zero)
            {
                try
                {
                    // Uniform in [0, 2 x mean]: the rate on average, without processes marching in step.
                    await Task.Delay(meanGap * (2 * pacing.NextDouble()), stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
            }

            var record = await executor.RunAsync(process, generator.Next(), abort).ConfigureAwait(false);
            recorder.Append(record);
            generator.Observe(record);
        }
    }
}
