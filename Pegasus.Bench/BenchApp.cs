using Pegasus.Bench.Reporting;
using Pegasus.Bench.Workload;
using Pegasus.Client;
using Pegasus.LocalCluster;

namespace Pegasus.Bench;

/// <summary>One benchmark run end to end: cluster (optional), table, pre-load, measured run, report, clean-up.</summary>
public static class BenchApp
{
    /// <summary>Runs the benchmark.</summary>
    /// <param name="settings">What to run.</param>
    /// <param name="output">Where progress and results go.</param>
    /// <param name="cancellationToken">Ctrl+C: stops early, still cleans up.</param>
    /// <returns>0 when every measured operation succeeded, 1 when some failed, 2 when the benchmark could not run, 130 when cancelled before measuring.</returns>
    public static async Task<int> RunAsync(BenchSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        BenchReport.WriteConditions(output, settings);
        ProcessCluster? cluster = null;
        try
        {
            if (settings.LocalCluster)
            {
                var clusterOptions = new ProcessClusterOptions
                {
                    ReplicaServers = settings.LocalReplicaServers,
                    StartTimeout = settings.StartTimeout,
                    DirectoryPrefix = "pegasus-bench-",
                };
                cluster = await ProcessCluster.StartAsync(clusterOptions, output, cancellationToken).ConfigureAwait(false);
                settings = settings with { MetaServers = [cluster.MetaGrpcAddress], AdminServers = [cluster.MetaHttpAddress] };
            }

            await using var client = new PegasusClient(new PegasusClientOptions
            {
                MetaServers = [.. settings.MetaServers],
                MetaAdminAddresses = [.. settings.AdminServers],
                DefaultTimeout = settings.OperationTimeout,
            });
            // One run, or one per replica count on tables of their own in the same cluster, compared at the end.
            var runs = settings.CompareReplicaCounts.Count == 0
                ? [settings]
                : settings.CompareReplicaCounts.Select(n => settings with { ReplicaCount = n, Table = $"{settings.Table}-rf{n}" }).ToList();
            var results = new List<(BenchSettings Settings, BenchResult Result)>();
            foreach (var run in runs)
            {
                results.Add((run, await RunOneAsync(client, run, ServerProcessIds(cluster), output, cancellationToken).ConfigureAwait(false)));
            }

            if (results.Count > 1)
            {
                BenchReport.WriteComparison(output, results);
            }

            return results.All(r => r.Result.ErrorCount == 0) ? 0 : 1;
        }
        catch (Exception ex) when (ex is PegasusException or TimeoutException or InvalidOperationException or FileNotFoundException)
        {
            // Expected ways for a run to fail (cluster did not start, table not served, pre-load failed): say why, no stack.
            await Console.Error.WriteLineAsync($"benchmark failed: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C before the measured run started: nothing to report, but still clean up below.
            await Console.Error.WriteLineAsync("benchmark cancelled").ConfigureAwait(false);
            return 130;
        }
        finally
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
                output.WriteLine("cluster: servers stopped, data deleted");
            }
        }
    }

    private static IReadOnlyList<int> ServerProcessIds(ProcessCluster? cluster) => cluster is null
        ? []
        : [.. new[] { cluster.Meta.ProcessId }.Concat(cluster.Replicas.Select(replica => replica.Process.ProcessId)).OfType<int>()];

    private static async Task<BenchResult> RunOneAsync(
        PegasusClient client, BenchSettings settings, IReadOnlyList<int> serverProcessIds, TextWriter output, CancellationToken cancellationToken)
    {
        var table = await BenchTable.PrepareAsync(client, settings, output, cancellationToken).ConfigureAwait(false);
        var keys = new KeySpace(settings.Keys, settings.ValueSize);
        var runner = new BenchmarkRunner(table, keys, settings);
        if (settings.Operation != BenchOperation.Set)
        {
            var took = await runner.PreloadAsync(cancellationToken).ConfigureAwait(false);
            output.WriteLine($"pre-load: {keys.Count} keys written in {took.TotalSeconds:0.00} s");
        }

        output.WriteLine($"running: {DurationText.Format(settings.Warmup)} warm-up, then {DurationText.Format(settings.Duration)} measured ...");
        var cpu = CpuUsage.MeasureAsync(serverProcessIds, settings.Warmup, settings.Duration, cancellationToken);
        var result = await runner.RunAsync(cancellationToken).ConfigureAwait(false);
        BenchReport.WriteResult(output, settings, table.PartitionCount, result, cancellationToken.IsCancellationRequested);
        if (serverProcessIds.Count > 0 && await cpu.ConfigureAwait(false) is { } usage)
        {
            BenchReport.WriteCpu(output, usage, result.Operations);
        }
        return result;
    }
}
