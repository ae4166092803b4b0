using System.Globalization;
using Pegasus.Chaos.Workload;
using Pegasus.LocalCluster;

namespace Pegasus.Chaos.Nemesis;

/// <summary>
/// Injects faults on a seeded schedule, one at a time: a fault starts every <see cref="NemesisTiming.Interval"/>
/// (drawn anew each time, and never before the previous fault was undone), picks its kind among the enabled ones and
/// its victim at random, holds for its drawn duration, then undoes itself. While a replica server is faulty, a watcher
/// records when each partition it was primary of gets another primary. Every step is a <see cref="NemesisEvent"/>.
/// </summary>
public sealed class NemesisRunner
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(250);

    // Failover may complete after a short fault ended (the meta's grace period is the lower bound): keep watching a while.
    private static readonly TimeSpan WatchAfterHeal = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(1);

    private readonly ProcessCluster _cluster;
    private readonly RoutingProbe _routing;
    private readonly NemesisTiming _timing;
    private readonly IReadOnlyList<NemesisKinds> _faults;
    private readonly NemesisLog _log;
    private readonly HistoryClock _clock;
    private readonly int _partitionCount;
    private readonly Random _random;
    private readonly List<(Task Task, CancellationTokenSource Lifetime)> _watches = [];

    /// <summary>Initializes a new instance of the <see cref="NemesisRunner"/> class.</summary>
    /// <param name="cluster">The cluster to hurt.</param>
    /// <param name="routing">Where the primaries are.</param>
    /// <param name="timing">The schedule.</param>
    /// <param name="kinds">The faults to choose from.</param>
    /// <param name="log">Where events go.</param>
    /// <param name="clock">The run's clock.</param>
    /// <param name="partitionCount">The table's partition count.</param>
    /// <param name="seed">The nemesis's seed.</param>
    public NemesisRunner(
        ProcessCluster cluster, RoutingProbe routing, NemesisTiming timing, NemesisKinds kinds, NemesisLog log, HistoryClock clock, int partitionCount, int seed)
    {
        _cluster = cluster;
        _routing = routing;
        _timing = timing;
        _faults = NemesisNames.Split(kinds);
        _log = log;
        _clock = clock;
        _partitionCount = partitionCount;
        _random = new Random(seed);
    }

    /// <summary>Injects faults until <paramref name="stop"/> fires; a fault in progress is then cut short and undone.</summary>
    /// <param name="stop">Ends the schedule.</param>
    /// <param name="abort">Abandons undoing too (Ctrl+C); the cluster's disposal cleans up.</param>
    /// <returns>A task that completes when the last fault is undone and its watcher ended.</returns>
    public async Task RunAsync(CancellationToken stop, CancellationToken abort)
    {
        if (_faults.Count == 0)
        {
            return;
        }

        var next = _clock.Now() + Nanoseconds(_timing.Interval.Draw(_random));
        var injected = 0;
        while (injected < (_timing.MaxFaults ?? int.MaxValue) && await WaitUntilAsync(next, stop).ConfigureAwait(false))
        {
            injected++;
            var started = _clock.Now();
            var fault = _faults[_random.Next(_faults.Count)];
            await InjectAsync(fault, stop, abort).ConfigureAwait(false);
            next = Math.Max(started + Nanoseconds(_timing.Interval.Draw(_random)), _clock.Now() + Nanoseconds(MinimumGap));
        }

        // The run is over: primary changes from now on would be the recovery's, not a fault's.
        foreach (var (_, lifetime) in _watches)
        {
            await lifetime.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_watches.Select(w => w.Task)).ConfigureAwait(false);
        foreach (var (_, lifetime) in _watches)
        {
            lifetime.Dispose();
        }
    }

    private Task InjectAsync(NemesisKinds fault, CancellationToken stop, CancellationToken abort) => fault switch
    {
        NemesisKinds.Kill => KillAsync(stop, abort),
        NemesisKinds.Pause => PauseAsync(stop, abort),
        NemesisKinds.Partition => IsolateAsync(stop, abort),
        NemesisKinds.MetaKill => KillMetaAsync(stop, abort),
        NemesisKinds.CrashAll => CrashAllAsync(stop, abort),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "not a single fault"),
    };

    private async Task KillAsync(CancellationToken stop, CancellationToken abort)
    {
        if (PickRunningReplica() is not { } victim)
        {
            _log.Record("skip", null, "kill: no replica server is running");
            return;
        }

        var partitions = RoutingProbe.PrimariesOf(await _routing.TryGetPartitionsAsync(abort).ConfigureAwait(false), victim.Address);
        var downtime = _timing.KillDowntime.Draw(_random);
        var pid = victim.Process.ProcessId;
        var killed = _clock.Now();
        _cluster.KillReplica(victim.Index);
        _log.Record("kill", victim.ToString(), $"kill -9 pid {pid} (gone after {Milliseconds(_clock.Now() - killed)}); down for {Seconds(downtime)}", partitions, victim.Address, killed);
        var watch = Watch(victim, partitions, abort);
        await HoldAsync(downtime, stop).ConfigureAwait(false);
        await RestartReplicaAsync(victim, abort).ConfigureAwait(false);
        watch.CancelAfter(WatchAfterHeal);
    }

    private async Task PauseAsync(CancellationToken stop, CancellationToken abort)
    {
        var layout = await _routing.TryGetPartitionsAsync(abort).ConfigureAwait(false);
        var primaries = layout?
            .Select(p => (p.PartitionIndex, Server: _cluster.FindReplica(p.Primary)))
            .Where(p => p.Server is { Process: { IsRunning: true, IsPaused: false } })
            .ToList() ?? [];
        ReplicaServerNode? victim;
        string reason;
        if (primaries.Count > 0)
        {
            var (partition, server) = primaries[_random.Next(primaries.Count)];
            (victim, reason) = (server, $"primary of partition {partition}");
        }
        else
        {
            (victim, reason) = (PickRunningReplica(), "no primary known: a random server");
        }

        if (victim is null)
        {
            _log.Record("skip", null, "pause: no replica server is running");
            return;
        }

        var pauseTime = _timing.PauseTime.Draw(_random);
        var pid = victim.Process.ProcessId;
        var paused = _clock.Now();
        if (!_cluster.PauseReplica(victim.Index))
        {
            _log.Record("skip", victim.ToString(), "pause: SIGSTOP failed");
            return;
        }

        var partitions = RoutingProbe.PrimariesOf(layout, victim.Address);
        _log.Record("pause", victim.ToString(), $"SIGSTOP pid {pid} ({reason}) for {Seconds(pauseTime)}", partitions, victim.Address, paused);
        var watch = Watch(victim, partitions, abort);
        await HoldAsync(pauseTime, stop).ConfigureAwait(false);
        _cluster.ResumeReplica(victim.Index);
        _log.Record("resume", victim.ToString(), $"SIGCONT pid {pid}", address: victim.Address);
        watch.CancelAfter(WatchAfterHeal);
    }

    private async Task IsolateAsync(CancellationToken stop, CancellationToken abort)
    {
        if (PickRunningReplica() is not { } victim)
        {
            _log.Record("skip", null, "partition: no replica server is running");
            return;
        }

        var partitions = RoutingProbe.PrimariesOf(await _routing.TryGetPartitionsAsync(abort).ConfigureAwait(false), victim.Address);
        var mode = _random.Next(2) == 0 ? ProxyFault.Reset : ProxyFault.Blackhole;
        var cutTime = _timing.PartitionTime.Draw(_random);
        var cut = _clock.Now();
        _cluster.IsolateReplica(victim.Index, mode);
        var how = mode == ProxyFault.Reset ? "connections reset" : "packets dropped";
        _log.Record("isolate", victim.ToString(), $"links to clients, peers and meta cut ({how}) for {Seconds(cutTime)}", partitions, victim.Address, cut);
        var watch = Watch(victim, partitions, abort);
        await HoldAsync(cutTime, stop).ConfigureAwait(false);
        _cluster.HealReplica(victim.Index);
        _log.Record("heal", victim.ToString(), address: victim.Address);
        watch.CancelAfter(WatchAfterHeal);
    }

    private async Task KillMetaAsync(CancellationToken stop, CancellationToken abort)
    {
        var downtime = _timing.MetaDowntime.Draw(_random);
        var pid = _cluster.Meta.ProcessId;
        var killed = _clock.Now();
        _cluster.KillMeta();
        _log.Record("meta-kill", "meta", $"kill -9 pid {pid} (gone after {Milliseconds(_clock.Now() - killed)}); down for {Seconds(downtime)}", time: killed);
        await HoldAsync(downtime, stop).ConfigureAwait(false);
        try
        {
            await _cluster.RestartMetaAsync(abort).ConfigureAwait(false);
            _log.Record("meta-restart", "meta", "serving");
        }
        catch (InvalidOperationException ex)
        {
            _log.Record("meta-restart", "meta", "FAILED: " + FirstLine(ex.Message));
        }
    }

    private async Task CrashAllAsync(CancellationToken stop, CancellationToken abort)
    {
        var downtime = _timing.MetaDowntime.Draw(_random);
        var killed = _clock.Now();
        _cluster.KillAll();
        _log.Record("crash-all", "all", $"kill -9 meta and every replica server (all gone after {Milliseconds(_clock.Now() - killed)}); down for {Seconds(downtime)}", [.. Enumerable.Range(0, _partitionCount)], time: killed);
        await HoldAsync(downtime, stop).ConfigureAwait(false);
        try
        {
            await _cluster.RestartMetaAsync(abort).ConfigureAwait(false);
            await Task.WhenAll(_cluster.Replicas.Select(r => _cluster.RestartReplicaAsync(r.Index, abort))).ConfigureAwait(false);
            _log.Record("restart-all", "all", "meta and every replica server serving");
        }
        catch (InvalidOperationException ex)
        {
            _log.Record("restart-all", "all", "FAILED: " + FirstLine(ex.Message));
        }
    }

    private async Task RestartReplicaAsync(ReplicaServerNode victim, CancellationToken abort)
    {
        var began = _clock.Now();
        try
        {
            await _cluster.RestartReplicaAsync(victim.Index, abort).ConfigureAwait(false);
            _log.Record("restart", victim.ToString(), $"pid {victim.Process.ProcessId}; registered after {HistoryClock.Format(_clock.Now() - began)}", address: victim.Address);
        }
        catch (InvalidOperationException ex)
        {
            // The final heal tries again; the report shows the failure.
            _log.Record("restart", victim.ToString(), "FAILED: " + FirstLine(ex.Message), address: victim.Address);
        }
    }

    /// <summary>Watches, in the background, for the partitions <paramref name="victim"/> was primary of to get another primary.</summary>
    /// <returns>The watch's lifetime: cancel it (after a delay) to end it.</returns>
    private CancellationTokenSource Watch(ReplicaServerNode victim, IReadOnlyList<int>? partitions, CancellationToken abort)
    {
        var lifetime = CancellationTokenSource.CreateLinkedTokenSource(abort);
        _watches.Add((partitions is { Count: > 0 } ? WatchAsync(victim, partitions, lifetime.Token) : Task.CompletedTask, lifetime));
        return lifetime;
    }

    private async Task WatchAsync(ReplicaServerNode victim, IReadOnlyList<int> partitions, CancellationToken lifetime)
    {
        var pending = new HashSet<int>(partitions);
        try
        {
            while (pending.Count > 0)
            {
                // Poll interval of a watch that ends with its fault (bounded by the lifetime's CancelAfter).
                await Task.Delay(WatchInterval, lifetime).ConfigureAwait(false);
                var layout = await _routing.TryGetPartitionsAsync(lifetime).ConfigureAwait(false);
                foreach (var partition in layout ?? [])
                {
                    if (pending.Contains(partition.PartitionIndex) && !string.IsNullOrEmpty(partition.Primary)
                        && !RoutingProbe.SameAddress(partition.Primary, victim.Address))
                    {
                        pending.Remove(partition.PartitionIndex);
                        var successor = _cluster.FindReplica(partition.Primary)?.ToString() ?? partition.Primary;
                        _log.Record(
                            "primary-change",
                            victim.ToString(),
                            string.Create(CultureInfo.InvariantCulture, $"new primary {successor}, ballot {partition.Ballot}"),
                            [partition.PartitionIndex],
                            victim.Address);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // The fault is over (or the run aborted): the partitions still pending never moved.
        }
    }

    private ReplicaServerNode? PickRunningReplica()
    {
        var running = _cluster.Replicas.Where(r => r.Process is { IsRunning: true, IsPaused: false } && !r.IsIsolated).ToList();
        return running.Count == 0 ? null : running[_random.Next(running.Count)];
    }

    private async Task<bool> WaitUntilAsync(long time, CancellationToken stop)
    {
        var wait = time - _clock.Now();
        try
        {
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromTicks(wait / 100), stop).ConfigureAwait(false);
            }

            return !stop.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task HoldAsync(TimeSpan duration, CancellationToken stop)
    {
        try
        {
            await Task.Delay(duration, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended during the fault: undo it now.
        }
    }

    private static long Nanoseconds(TimeSpan value) => value.Ticks * 100;

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Milliseconds(long nanoseconds) => (nanoseconds / 1_000_000).ToString(CultureInfo.InvariantCulture) + " ms";

    private static string FirstLine(string text) => text.Split('\n', 2)[0];
}
