using Pegasus.Chaos.History;

namespace Pegasus.Tests.Chaos;

/// <summary>Histories shared by the format tests.</summary>
internal static class HistorySamples
{
    /// <summary>One operation of every shape the format has; no process has two in flight.</summary>
    public static IReadOnlyList<HistoryOperation> EveryShape { get; } =
    [
        new(0, "hk/sk", HistoryOpKind.Set, "p0-17", null, null, 1000, 1900, HistoryStatus.Ok, null),
        new(1, "hk/sk", HistoryOpKind.Get, null, null, null, 1100, 1200, HistoryStatus.Ok, "p0-17"),
        new(1, "hk/sk", HistoryOpKind.Get, null, null, null, 1300, 1400, HistoryStatus.Ok, null),
        new(2, "hk/sk", HistoryOpKind.Del, null, null, null, 2000, 2100, HistoryStatus.Ok, null),
        new(2, "n/1", HistoryOpKind.Incr, null, null, -3, 2200, 2300, HistoryStatus.Ok, "-3"),
        new(3, "hk/sk", HistoryOpKind.Cas, "p3-1", null, null, 2400, 2500, HistoryStatus.Ok, "true"),
        new(3, "hk/sk", HistoryOpKind.Cas, "p3-2", "p3-1", null, 2600, 2700, HistoryStatus.Ok, "false"),
        new(4, "hk/sk", HistoryOpKind.Set, "p4-1", null, null, 2800, null, HistoryStatus.Unknown, null, "deadline exceeded"),
        new(4, "n/1", HistoryOpKind.Incr, null, null, 5, 2850, null, HistoryStatus.Unknown, null),
        new(5, "hk/sk", HistoryOpKind.Get, null, null, null, 2900, 3000, HistoryStatus.Fail, null, "not primary"),
        new(5, "hk/sk", HistoryOpKind.Cas, "p5-1", null, null, 3050, 3060, HistoryStatus.Fail, null),
        new(6, "é/+<>\"\\", HistoryOpKind.Set, "line\nbreak\u2028", null, null, 3100, 3200, HistoryStatus.Ok, null),
        new(6, "hk/sk", HistoryOpKind.Del, null, null, null, 3300, 3400, HistoryStatus.Unknown, null),
    ];
}
