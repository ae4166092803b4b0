using Pegasus.Chaos.History;
using Pegasus.Chaos.Nemesis;
using Pegasus.Chaos.Reporting;
using Pegasus.Chaos.Workload;

namespace Pegasus.Tests.Chaos;

/// <summary>The chaos tool's own logic without processes: the lost-write and unavailability analyses, the workload's choices.</summary>
public sealed class ChaosAnalysisTests
{
    private const int FinalProcess = 9;

    [Fact]
    public void LostWrites_FinalValueWrittenBeforeAnAcknowledgedLaterWrite_CountsItLost()
    {
        HistoryOperation[] history =
        [
            Set(0, "r/v", "p0-1", 0, 10),
            Set(1, "r/v", "p1-1", 20, 30),
            FinalRead("r/v", "p0-1"),
        ];

        var report = HistoryAnalysis.LostWrites(history, FinalProcess);

        Assert.Equal(1, report.Lost);
        Assert.Contains(report.Anomalies, a => a.Contains("p1-1", StringComparison.Ordinal));
    }

    [Fact]
    public void LostWrites_ConcurrentOrUnknownWrites_MayBeLast_NothingLost()
    {
        HistoryOperation[] history =
        [
            Set(0, "a/v", "p0-1", 0, 10),
            Set(1, "a/v", "p1-1", 5, 30),
            FinalRead("a/v", "p0-1"),
            Unknown(Set(0, "b/v", "p0-2", 0, null)),
            Set(1, "b/v", "p1-2", 20, 30),
            FinalRead("b/v", "p0-2"),
        ];

        var report = HistoryAnalysis.LostWrites(history, FinalProcess);

        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Spurious);
        Assert.Equal(2, report.KeysChecked);
    }

    [Fact]
    public void LostWrites_AbsentAtTheEnd_NeedsADeleteThatCouldFollowEachAcknowledgedSet()
    {
        HistoryOperation[] history =
        [
            Del(0, "a/v", 0, 5),
            Set(1, "a/v", "p1-1", 10, 20),
            FinalRead("a/v", null),
            Set(1, "b/v", "p1-2", 10, 20),
            Unknown(Del(0, "b/v", 30, null)),
            FinalRead("b/v", null),
        ];

        var report = HistoryAnalysis.LostWrites(history, FinalProcess);

        Assert.Equal(1, report.Lost);
        Assert.Contains(report.Anomalies, a => a.StartsWith("a/v", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("5", 0, 0)]
    [InlineData("9", 0, 0)]
    [InlineData("4", 1, 0)]
    [InlineData("10", 0, 1)]
    public void LostWrites_Counter_BetweenAcknowledgedAndPossibleIncrements(string final, int lost, int spurious)
    {
        HistoryOperation[] history =
        [
            Incr(0, 2, 0, 10, "2"),
            Incr(1, 3, 5, 15, "5"),
            Unknown(Incr(2, 4, 20, null, null)),
            FinalRead("c/n", final),
        ];

        var report = HistoryAnalysis.LostWrites(history, FinalProcess);

        Assert.Equal(lost, report.Lost);
        Assert.Equal(spurious, report.Spurious);
    }

    [Fact]
    public void LostWrites_ValueNobodyWrote_IsSpurious()
    {
        HistoryOperation[] history =
        [
            Set(0, "r/v", "p0-1", 0, 10),
            new(1, "r/v", HistoryOpKind.Cas, "p1-1", null, null, 0, 10, HistoryStatus.Ok, "false"),
            FinalRead("r/v", "p1-1"),
        ];

        Assert.Equal(1, HistoryAnalysis.LostWrites(history, FinalProcess).Spurious);
    }

    [Fact]
    public void WriteUnavailability_PerKill_WorstPartitionAndUnrecoveredOnes()
    {
        var keys = KeySpace.Create(partitionCount: 4, registersPerPartition: 1, countersPerPartition: 0);
        var (k0, k1) = (keys.Registers.Single(k => k.Partition == 0).Name, keys.Registers.Single(k => k.Partition == 1).Name);
        const long Second = 1_000_000_000;
        HistoryOperation[] history =
        [
            Set(0, k0, "p0-1", 5 * Second, 6 * Second),          // before the kill: does not count
            Set(0, k0, "p0-2", 11 * Second, 13 * Second),
            Set(1, k1, "p1-1", 12 * Second, 12 * Second + 1),
            Set(1, k1, "p1-2", 14 * Second, 15 * Second),
            Set(1, k0, "p1-9", 200 * Second, 201 * Second),      // after the workload: does not count
        ];
        NemesisEvent[] events =
        [
            new(10 * Second, "kill", "replica-0", null, [0, 1]),
            new(20 * Second, "kill", "replica-1", null, [1]),
            new(30 * Second, "pause", "replica-2", null, [2]),
        ];

        var kills = HistoryAnalysis.WriteUnavailability(history, events, 4, workloadEnd: 100 * Second);

        Assert.Equal(2, kills.Count);
        Assert.Equal(3.0, kills[0].MaxSeconds!.Value, precision: 6);
        Assert.Equal(0, kills[0].SlowestPartition);
        Assert.Empty(kills[0].Unrecovered);
        Assert.Null(kills[1].MaxSeconds);
        Assert.Equal([1], kills[1].Unrecovered);
    }

    [Fact]
    public void KeySpace_EveryPartitionGetsItsShareOfEachGroup()
    {
        var keys = KeySpace.Create(partitionCount: 8, registersPerPartition: 2, countersPerPartition: 1);

        Assert.Equal(16, keys.Registers.Count);
        Assert.Equal(8, keys.Counters.Count);
        Assert.All(Enumerable.Range(0, 8), p => Assert.Equal(2, keys.Registers.Count(k => k.Partition == p)));
        Assert.All(keys.All, k => Assert.Equal(k.Partition, KeySpace.PartitionOf(k.Name, 8)));
        Assert.Equal(keys.All.Count, keys.All.Select(k => k.Name).Distinct().Count());
    }

    [Fact]
    public void OperationGenerator_SameSeed_SameChoices_UniqueValues_CasExpectsWhatItSaw()
    {
        var keys = KeySpace.Create(4, 1, 1);
        var a = new OperationGenerator(3, keys, seed: 7);
        var b = new OperationGenerator(3, keys, seed: 7);
        var planned = Enumerable.Range(0, 500).Select(_ => a.Next()).ToList();

        Assert.Equal(planned, Enumerable.Range(0, 500).Select(_ => b.Next()));
        var values = planned.Where(p => p.Value is not null).Select(p => p.Value!).ToList();
        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.All(values, v => Assert.StartsWith("p3-", v, StringComparison.Ordinal));
        Assert.All(planned, p => Assert.True(p.Op is HistoryOpKind.Get or HistoryOpKind.Incr || !p.Key.IsCounter, $"{p.Op} on counter {p.Key.Name}"));
        Assert.Contains(planned, p => p.Op == HistoryOpKind.Incr);

        // After it read a value, a cas on that key expects it (or, sometimes, absence).
        var generator = new OperationGenerator(0, KeySpace.Create(1, 1, 0), seed: 1);
        generator.Observe(new HistoryOperation(0, "r0/v", HistoryOpKind.Get, null, null, null, 0, 1, HistoryStatus.Ok, "p5-5"));
        var expects = Enumerable.Range(0, 200).Select(_ => generator.Next()).Where(p => p.Op == HistoryOpKind.Cas).Select(p => p.Expect).ToList();
        Assert.Contains("p5-5", expects);
        Assert.All(expects, e => Assert.True(e is null or "p5-5"));
    }

    [Theory]
    [InlineData("kill", NemesisKinds.Kill)]
    [InlineData("kill,pause,partition", NemesisKinds.Kill | NemesisKinds.Pause | NemesisKinds.Partition)]
    [InlineData("none", NemesisKinds.None)]
    [InlineData("meta-kill, crash-all", NemesisKinds.MetaKill | NemesisKinds.CrashAll)]
    public void NemesisNames_ParseAndFormat_RoundTrip(string text, NemesisKinds expected)
    {
        Assert.True(NemesisNames.TryParse(text, out var kinds, out _));
        Assert.Equal(expected, kinds);
        Assert.True(NemesisNames.TryParse(NemesisNames.Format(kinds), out var again, out _));
        Assert.Equal(expected, again);
    }

    [Fact]
    public void NemesisNames_UnknownFault_IsNamed()
    {
        Assert.False(NemesisNames.TryParse("kill,flood", out _, out var unknown));
        Assert.Equal("flood", unknown);
    }

    private static HistoryOperation Set(int process, string key, string value, long call, long? ret)
        => new(process, key, HistoryOpKind.Set, value, null, null, call, ret, HistoryStatus.Ok, null);

    private static HistoryOperation Del(int process, string key, long call, long? ret)
        => new(process, key, HistoryOpKind.Del, null, null, null, call, ret, HistoryStatus.Ok, null);

    private static HistoryOperation Incr(int process, long delta, long call, long? ret, string? result)
        => new(process, "c/n", HistoryOpKind.Incr, null, null, delta, call, ret, HistoryStatus.Ok, result);

    private static HistoryOperation Unknown(HistoryOperation operation) => operation with { Status = HistoryStatus.Unknown, Return = null, Result = null };

    private static HistoryOperation FinalRead(string key, string? value)
        => new(FinalProcess, key, HistoryOpKind.Get, null, null, null, 1_000, 1_001, HistoryStatus.Ok, value);
}
