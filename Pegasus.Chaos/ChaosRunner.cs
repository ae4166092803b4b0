using System.Globalization;
using Pegasus.Chaos.Checking;
using Pegasus.Chaos.Cluster;
using Pegasus.Chaos.History;
using Pegasus.Chaos.Nemesis;
using Pegasus.Chaos.Reporting;
using Pegasus.Chaos.Workload;
using Pegasus.Client;
using Pegasus.LocalCluster;

namespace Pegasus.Chaos;

/// <summary>
/// One chaos run end to end: a local cluster, a table, the recorded workload under the nemesis for
/// <see cref="ChaosSettings.Duration"/>, then every fault undone, recovery awaited, a final read of every key, the
/// history written, and the checks (linearizability, lost writes, health, write unavailability per kill).
/// </summary>
public static class ChaosRunner
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);

    // A table that cannot get its secondaries at start will not get them later either: do not wait long for it.
    private static readonly TimeSpan StartHealthWait = TimeSpan.FromSeconds(15);

    /// <summary>Runs the chaos test <paramref name="settings"/> describe.</summary>
    /// <param name="settings">What to run.</param>
    /// <param name="log">Where progress goes (used from several threads; it is synchronized here).</param>
    /// <param name="cancellationToken">Stops early (Ctrl+C); the cluster is still removed.</param>
    /// <returns>The report; <see cref="ChaosReport.Passed"/> tells whether every check passed.</returns>
    /// <exception cref="ArgumentException">The settings are invalid.</exception>
    /// <exception cref="InvalidOperationException">The cluster did not start.</exception>
    /// <exception cref="PegasusException">The table could not be created or served.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public static async Task<ChaosReport> RunAsync(ChaosSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException("Invalid chaos settings: " + string.Join("; ", errors), nameof(settings));
        }

        log = TextWriter.Synchronized(log);
        var seed = settings.Seed ?? Random.Shared.Next();
        var description = Describe(settings);
        log.WriteLine($"chaos: {description}; seed {seed.ToString(CultureInfo.InvariantCulture)}");
        var cluster = await ProcessCluster.StartAsync(ChaosCluster.Options(settings), log, cancellationToken).ConfigureAwait(false);
        // Until the run has a verdict it counts as failed: an exception keeps what explains it.
        var (keepData, keepLogs) = (settings.KeepData != KeepDataPolicy.Never, true);
        try
        {
            var report = await RunOnClusterAsync(cluster, settings, seed, description, log, cancellationToken).ConfigureAwait(false);
            keepData = settings.KeepData == KeepDataPolicy.Always || (settings.KeepData == KeepDataPolicy.OnFailure && !report.Passed);
            keepLogs = keepData || !report.Passed;
            return keepLogs ? report with { ClusterDirectory = cluster.RootDirectory, ClusterDataKept = keepData } : report;
        }
        finally
        {
            (cluster.KeepData, cluster.KeepLogs) = (keepData, keepLogs);
            await cluster.DisposeAsync().ConfigureAwait(false);
            log.WriteLine(
                keepData ? $"cluster: stopped; data and server logs kept in {cluster.RootDirectory}"
                : keepLogs ? $"cluster: stopped, data deleted; server logs kept in {Path.Combine(cluster.RootDirectory, "logs")}"
                : "cluster: stopped, data deleted");
        }
    }

    /// <summary>Reads a history file and runs the checker on it.</summary>
    /// <param name="path">The history (JSON Lines).</param>
    /// <param name="options">The checker's budgets; null for its defaults.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The result; <see cref="CheckReport.Passed"/> when readable and linearizable.</returns>
    public static CheckReport Check(string path, CheckerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fullPath = Path.GetFullPath(path);
        IReadOnlyList<HistoryOperation> history;
        try
        {
            history = HistoryReader.ReadAll(fullPath);
        }
        catch (Exception ex) when (ex is HistoryFormatException or IOException or UnauthorizedAccessException)
        {
            return new CheckReport(fullPath, [], null, ex.Message);
        }

        return new CheckReport(fullPath, HistoryAnalysis.Count(history), CheckVerdict.Check(history, options, cancellationToken), null);
    }

    private static async Task<ChaosReport> RunOnClusterAsync(
        ProcessCluster cluster, ChaosSettings settings, int seed, string description, TextWriter log, CancellationToken cancellationToken)
    {
        await using var client = new PegasusClient(ChaosCluster.ClientOptions(cluster, settings));
        using var nemesisAdmin = new PegasusAdminClient(ChaosCluster.NemesisAdminOptions(cluster));
        var keys = KeySpace.Create(settings.Partitions, settings.RegisterKeysPerPartition, settings.CounterKeysPerPartition);
        var table = await ChaosCluster.PrepareTableAsync(client, settings, keys, StartHealthWait, log, cancellationToken).ConfigureAwait(false);

        var clock = new HistoryClock();
        var events = new NemesisLog(clock, log);
        using var recorder = new HistoryRecorder(settings.HistoryPath);
        log.WriteLine($"history: {recorder.Path}");
        var executor = new OperationExecutor(table, clock, settings.OperationTimeout);
        var workload = new WorkloadRunner(executor, keys, recorder, settings.Processes, settings.Rate, seed);
        var nemesis = new NemesisRunner(
            cluster, new RoutingProbe(nemesisAdmin, settings.Table), settings.NemesisTiming, settings.Nemesis, events, clock, settings.Partitions, unchecked(seed ^ 0x2545F491));

        log.WriteLine($"workload: {settings.Processes} processes on {keys.Registers.Count} register and {keys.Counters.Count} counter keys for {settings.Duration}; nemesis {NemesisNames.Format(settings.Nemesis)}");
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            stop.CancelAfter(settings.Duration);
            var progress = ReportProgressAsync(recorder, clock, log, stop.Token);
            await Task.WhenAll(workload.RunAsync(stop.Token, cancellationToken), nemesis.RunAsync(stop.Token, cancellationToken), progress).ConfigureAwait(false);
        }

        var workloadEnd = clock.Now();
        cancellationToken.ThrowIfCancellationRequested();
        log.WriteLine($"[{HistoryClock.Format(workloadEnd),9}] workload stopped; undoing faults");
        await HealAsync(cluster, events, cancellationToken).ConfigureAwait(false);
        var health = await ChaosCluster.WaitForHealthAsync(client.Admin, settings, cancellationToken).ConfigureAwait(false);
        log.WriteLine(health.Healthy ? $"recovery: table healthy after {health.WaitedSeconds:0.0} s" : $"recovery: table NOT healthy after {health.WaitedSeconds:0.0} s");
        var finalReads = await workload.FinalReadsAsync(settings.Processes, settings.RecoveryTimeout, cancellationToken).ConfigureAwait(false);
        log.WriteLine($"final reads: {finalReads.Read}/{finalReads.Keys} keys");
        recorder.Dispose();

        var history = recorder.Snapshot();
        var lost = HistoryAnalysis.LostWrites(history, settings.Processes);
        var kills = HistoryAnalysis.WriteUnavailability(history, events.Events, settings.Partitions, workloadEnd);
        log.WriteLine($"checker: checking {history.Count} operations ...");
        var verdict = CheckVerdict.Check(history, settings.Checker, cancellationToken);
        var report = new ChaosReport
        {
            Seed = seed,
            Settings = description,
            HistoryPath = recorder.Path,
            WorkloadSeconds = workloadEnd / 1e9,
            Operations = HistoryAnalysis.Count(history),
            Checker = verdict,
            LostWrites = lost,
            FinalReads = finalReads,
            FinalHealth = health,
            Kills = kills,
            Events = events.Events,
        };
        return report with { Problems = Problems(report) };
    }

    private static async Task HealAsync(ProcessCluster cluster, NemesisLog events, CancellationToken cancellationToken)
    {
        try
        {
            var actions = await cluster.HealAllAsync(cancellationToken).ConfigureAwait(false);
            if (actions.Count > 0)
            {
                events.Record("heal-all", "all", string.Join(", ", actions));
            }
        }
        catch (InvalidOperationException ex)
        {
            // A server that does not come back is a finding; the health check and final reads show its effect.
            events.Record("heal-all", "all", "FAILED: " + ex.Message.Split('\n', 2)[0]);
        }
    }

    private static async Task ReportProgressAsync(HistoryRecorder recorder, HistoryClock clock, TextWriter log, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(ProgressInterval, stop).ConfigureAwait(false);
                var (ok, fail, unknown) = recorder.Counts;
                log.WriteLine($"[{HistoryClock.Format(clock.Now()),9}] operations: {ok} ok, {fail} fail, {unknown} unknown");
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The workload is over.
        }
    }

    private static List<string> Problems(ChaosReport report)
    {
        var problems = new List<string>();
        if (!report.Checker.Linearizable)
        {
            problems.Add($"linearizability: {report.Checker.Outcome}");
        }

        if (report.LostWrites.Lost > 0)
        {
            problems.Add($"{report.LostWrites.Lost} acknowledged writes lost");
        }

        if (report.LostWrites.Spurious > 0)
        {
            problems.Add($"{report.LostWrites.Spurious} final values no write explains");
        }

        if (report.FinalReads.Unread.Count > 0)
        {
            problems.Add($"{report.FinalReads.Unread.Count} keys could not be read after recovery");
        }

        if (!report.FinalHealth.Healthy)
        {
            problems.Add("the table did not recover every replica of every partition" + (report.FinalHealth.Error is { } error ? $" ({error})" : ""));
        }

        var failedRestarts = report.Events.Count(e => e.Detail?.StartsWith("FAILED", StringComparison.Ordinal) == true);
        if (failedRestarts > 0)
        {
            problems.Add($"{failedRestarts} server restarts failed");
        }

        return problems;
    }

    private static string Describe(ChaosSettings settings)
    {
        var rate = settings.Rate == 0 ? "back to back" : $"~{settings.Rate} ops/s";
        var nemesis = settings.Nemesis == NemesisKinds.None
            ? "no nemesis"
            : $"nemesis {NemesisNames.Format(settings.Nemesis)} every {settings.NemesisTiming.Interval}";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{settings.Servers} replica servers, {settings.Partitions} partitions, replica count {settings.ReplicaCount}, {settings.Processes} processes ({rate}), {DurationText.Format(settings.Duration)}, {nemesis}, op timeout {DurationText.Format(settings.OperationTimeout)}; {settings.Timings}");
    }
}
