using Pegasus.Chaos;
using Pegasus.Chaos.History;
using Pegasus.Chaos.Nemesis;
using Pegasus.Chaos.Reporting;
using Pegasus.Chaos.Workload;
using static Pegasus.Tests.Chaos.ChaosTestSupport;

namespace Pegasus.Tests.Chaos;

/// <summary>
/// Fault injection against real processes through <see cref="ChaosRunner"/>: a recorded workload under kill -9,
/// SIGSTOP and full crashes, checked for linearizability, lost writes and recovery. The fault tests describe the
/// intended behaviour of three-way replication (PacificA: failover, reconciliation, learners); they fail until it is
/// built. <see cref="NoNemesis_ReplicaCount1_HistoryLinearizableAndWellFormed"/> checks the tool itself on what is
/// built today.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class FaultTests
{
    private const int Partitions = 8;
    private const int ReplicaCount = 3;

    [Fact]
    public async Task NoNemesis_ReplicaCount1_HistoryLinearizableAndWellFormed()
    {
        var history = HistoryPath("smoke");
        var settings = new ChaosSettings
        {
            Duration = TimeSpan.FromSeconds(10),
            Servers = 2,
            Partitions = 4,
            ReplicaCount = 1,
            Nemesis = NemesisKinds.None,
            HistoryPath = history,
            Seed = 1,
            RecoveryTimeout = TimeSpan.FromSeconds(30),
        };

        var report = await ChaosRunner.RunAsync(settings, TestLog(), TestContext.Current.CancellationToken);

        var text = Describe(report);
        Assert.True(report.Passed, text);
        Assert.Equal("Linearizable", report.Checker.Outcome);
        Assert.Empty(report.Events);
        Assert.True(report.Operations.Sum(o => o.Ok) > 100, text);
        Assert.All(report.Operations, o => Assert.True(o.Ok > 0, $"no {o.Op} succeeded\n{text}"));
        Assert.Equal(report.FinalReads.Keys, report.FinalReads.Read);

        // The file on disk is the history the report describes, and the shared format tool accepts it.
        Assert.Equal(report.Operations.Sum(o => o.Total), HistoryReader.ReadAll(history).Count);
        await AssertFormatToolAcceptsAsync(history);
        File.Delete(history);
    }

    [Fact]
    public async Task KillRandomReplicaServerEvery20To30s_NoAcknowledgedWriteLost_LinearizableAndHealthy()
    {
        var history = HistoryPath("kill");
        var settings = new ChaosSettings
        {
            // Faults start 20-30 s apart, so a minute sees two kills (each server down 3-6 s).
            Duration = TimeSpan.FromSeconds(62),
            Servers = 3,
            Partitions = Partitions,
            ReplicaCount = ReplicaCount,
            Nemesis = NemesisKinds.Kill,
            HistoryPath = history,
            Seed = 2030,
            RecoveryTimeout = TimeSpan.FromSeconds(60),
        };

        var report = await ChaosRunner.RunAsync(settings, TestLog(), TestContext.Current.CancellationToken);

        var text = Describe(report);
        Assert.Equal(2, report.Events.Count(e => e.Kind == "kill"));
        Assert.DoesNotContain(report.Events, e => e.Detail?.StartsWith("FAILED", StringComparison.Ordinal) == true);
        await AssertFormatToolAcceptsAsync(history);
        AssertNoAcknowledgedWriteLost(report, text);
        Assert.True(report.Checker.Linearizable, $"history {history} is {report.Checker.Outcome}\n{text}");
        AssertHealthy(report, text);

        // Each kill's partitions took writes again before the workload ended (another primary, or the restarted server).
        Assert.All(report.Kills, kill => Assert.Empty(kill.Unrecovered));
        File.Delete(history);
    }

    [Fact]
    public async Task PausePrimaryPastItsLease_NewPrimaryTakesOver_OldPrimaryServesNothingAfterwards()
    {
        var history = HistoryPath("pause");
        var pauseTime = TimeSpan.FromSeconds(9);
        var settings = new ChaosSettings
        {
            Duration = TimeSpan.FromSeconds(30),
            Servers = 3,
            Partitions = Partitions,
            ReplicaCount = ReplicaCount,
            Nemesis = NemesisKinds.Pause,

            // One pause, 8 s in, longer than lease (3 s) + grace period (4 s): the meta must replace the primary meanwhile.
            NemesisTiming = new NemesisTiming
            {
                Interval = new(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(8)),
                PauseTime = new(pauseTime, pauseTime),
                MaxFaults = 1,
            },
            HistoryPath = history,
            Seed = 3,
            RecoveryTimeout = TimeSpan.FromSeconds(60),

            // Rebalancing would legitimately hand the returned server its primaries back within seconds, and the check
            // below is about the deposed primary: it must stay deposed for the rest of the run.
            MetaSettings = new Dictionary<string, string> { ["Meta:AutoRebalance"] = "false" },
        };

        var report = await ChaosRunner.RunAsync(settings, TestLog(), TestContext.Current.CancellationToken);

        var text = Describe(report);
        var pause = Assert.Single(report.Events, e => e.Kind == "pause");
        var resume = Assert.Single(report.Events, e => e.Kind == "resume");
        Assert.NotNull(pause.Address);
        Assert.True(pause.Partitions is { Count: > 0 }, $"the paused server should hold some primaries\n{text}");

        var operations = HistoryReader.ReadAll(history);
        foreach (var partition in pause.Partitions)
        {
            // Seen by polling the meta server every 250 ms, so at or after the real takeover.
            var takeover = report.Events.FirstOrDefault(e => e.Kind == "primary-change" && e.Partitions is [var p] && p == partition);
            Assert.True(
                takeover is not null && takeover.Time < resume.Time,
                $"partition {partition}: no new primary while its primary was paused for {pauseTime}\n{text}");

            // Requests sent to the old primary after the takeover sit in its socket buffers until SIGCONT; when it runs
            // again its lease has long expired, so it must answer none of them, nor anything sent right after.
            var servedByOldPrimary = operations
                .Where(o => o.Status == HistoryStatus.Ok
                    && KeySpace.PartitionOf(o.Key, Partitions) == partition
                    && o.Call > takeover.Time
                    && o.Call < resume.Time + TimeSpan.FromSeconds(5).Ticks * 100
                    && RoutingProbe.SameAddress(OperationServer(o), pause.Address))
                .ToList();
            Assert.True(
                servedByOldPrimary.Count == 0,
                $"partition {partition}: the old primary {pause.Address} answered {servedByOldPrimary.Count} operations invoked after "
                + $"the takeover at {HistoryClock.Format(takeover.Time)}, e.g. {servedByOldPrimary.FirstOrDefault()}\n{text}");
        }

        AssertNoAcknowledgedWriteLost(report, text);
        Assert.True(report.Checker.Linearizable, $"history {history} is {report.Checker.Outcome}\n{text}");
        AssertHealthy(report, text);
        await AssertFormatToolAcceptsAsync(history);
        File.Delete(history);
    }

    [Fact]
    public async Task KillEveryProcessAtOnce_RestartAll_EveryAcknowledgedWritePresentAndHealthy()
    {
        var history = HistoryPath("crash-all");
        var settings = new ChaosSettings
        {
            // Long enough after the restart for writes to every partition before the workload ends.
            Duration = TimeSpan.FromSeconds(45),
            Servers = 3,
            Partitions = Partitions,
            ReplicaCount = ReplicaCount,
            Nemesis = NemesisKinds.CrashAll,

            // One crash of every process (meta and replica servers) 15 s in, everything down for 3 s.
            NemesisTiming = new NemesisTiming
            {
                Interval = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15)),
                MetaDowntime = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)),
                MaxFaults = 1,
            },
            HistoryPath = history,
            Seed = 4,
            RecoveryTimeout = TimeSpan.FromSeconds(60),
        };

        var report = await ChaosRunner.RunAsync(settings, TestLog(), TestContext.Current.CancellationToken);

        var text = Describe(report);
        Assert.Single(report.Events, e => e.Kind == "crash-all");
        var restart = Assert.Single(report.Events, e => e.Kind == "restart-all");
        Assert.False(restart.Detail?.StartsWith("FAILED", StringComparison.Ordinal), text);
        await AssertFormatToolAcceptsAsync(history);
        AssertNoAcknowledgedWriteLost(report, text);
        Assert.True(report.Checker.Linearizable, $"history {history} is {report.Checker.Outcome}\n{text}");
        AssertHealthy(report, text);
        File.Delete(history);
    }

    private static void AssertNoAcknowledgedWriteLost(ChaosReport report, string text)
    {
        Assert.True(report.FinalReads.Unread.Count == 0, $"keys unreadable after recovery: {string.Join(", ", report.FinalReads.Unread)}\n{text}");
        Assert.Equal(report.FinalReads.Keys, report.LostWrites.KeysChecked);
        Assert.True(report.LostWrites.Lost == 0, $"{report.LostWrites.Lost} acknowledged writes lost\n{text}");
        Assert.True(report.LostWrites.Spurious == 0, $"{report.LostWrites.Spurious} final values no write explains\n{text}");
    }

    private static void AssertHealthy(ChaosReport report, string text)
    {
        Assert.True(report.FinalHealth.Healthy, $"the table did not recover every replica\n{text}");
        Assert.Equal(Partitions, report.FinalHealth.Partitions.Count);
        Assert.All(report.FinalHealth.Partitions, p =>
        {
            Assert.False(string.IsNullOrEmpty(p.Primary), $"partition {p.Partition} has no primary\n{text}");
            Assert.True(p.Secondaries >= ReplicaCount - 1, $"partition {p.Partition} has {p.Secondaries} secondaries\n{text}");
        });
    }

    /// <summary>The server that answered an operation, from the <c>meta</c> the tool records (<c>server=...</c>).</summary>
    private static string? OperationServer(HistoryOperation operation)
    {
        const string Marker = "server=";
        if (operation.Meta is not { } meta || !meta.StartsWith(Marker, StringComparison.Ordinal))
        {
            return null;
        }

        var end = meta.IndexOf(';', StringComparison.Ordinal);
        return end < 0 ? meta[Marker.Length..] : meta[Marker.Length..end];
    }
}
