using Pegasus.Chaos.History;

namespace Pegasus.Tests.Chaos;

/// <summary>Terse constructors for hand-written histories (key "k" unless given).</summary>
internal static class HistoryOps
{
    public static HistoryOperation Set(int process, string value, long call, long? ret, HistoryStatus status = HistoryStatus.Ok, string key = "k")
        => new(process, key, HistoryOpKind.Set, value, null, null, call, ret, status, null);

    public static HistoryOperation Get(int process, string? result, long call, long ret, string key = "k")
        => new(process, key, HistoryOpKind.Get, null, null, null, call, ret, HistoryStatus.Ok, result);

    public static HistoryOperation Del(int process, long call, long? ret, HistoryStatus status = HistoryStatus.Ok, string key = "k")
        => new(process, key, HistoryOpKind.Del, null, null, null, call, ret, status, null);

    public static HistoryOperation Incr(int process, long delta, long? result, long call, long? ret, string key = "k")
        => new(process, key, HistoryOpKind.Incr, null, null, delta, call, ret,
            result is null ? HistoryStatus.Unknown : HistoryStatus.Ok, result?.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static HistoryOperation Cas(int process, string? expect, string value, bool? result, long call, long? ret, string key = "k")
        => new(process, key, HistoryOpKind.Cas, value, expect, null, call, ret,
            result is null ? HistoryStatus.Unknown : HistoryStatus.Ok, result is null ? null : result.Value ? "true" : "false");
}
