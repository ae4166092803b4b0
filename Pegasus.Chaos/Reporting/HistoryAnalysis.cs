using System.Globalization;
using Pegasus.Chaos.History;
using Pegasus.Chaos.Nemesis;
using Pegasus.Chaos.Workload;

namespace Pegasus.Chaos.Reporting;

/// <summary>How many operations of one kind ended each way.</summary>
/// <param name="Op">The operation (<c>get</c>, <c>set</c>, ...).</param>
/// <param name="Ok">Ended ok.</param>
/// <param name="Fail">Certainly did not happen.</param>
/// <param name="Unknown">May or may not have happened.</param>
public sealed record OperationCount(string Op, int Ok, int Fail, int Unknown)
{
    /// <summary>Gets all of them.</summary>
    public int Total => Ok + Fail + Unknown;
}

/// <summary>The longest write unavailability after one kill.</summary>
/// <param name="Time">When the server was killed (ns of the run's clock).</param>
/// <param name="Target">The killed server (or <c>all</c>).</param>
/// <param name="Partitions">The partitions whose primary it held (all of them when that was not known).</param>
/// <param name="MaxSeconds">
/// The longest, over those partitions, from the kill to the first write to the partition invoked after the kill that
/// succeeded, in seconds; null when no partition was affected.
/// </param>
/// <param name="SlowestPartition">The partition of <see cref="MaxSeconds"/>.</param>
/// <param name="Unrecovered">Partitions with no successful write after the kill before the workload ended.</param>
public sealed record KillUnavailability(long Time, string? Target, IReadOnlyList<int> Partitions, double? MaxSeconds, int? SlowestPartition, IReadOnlyList<int> Unrecovered);

/// <summary>What the final reads say about acknowledged writes.</summary>
/// <param name="KeysChecked">Keys with a final read.</param>
/// <param name="Lost">Acknowledged writes (or increments) the final state does not reflect.</param>
/// <param name="Spurious">Final states no set of writes explains: a value never written, an increment applied twice.</param>
/// <param name="Anomalies">Each finding, for people (at most a few dozen).</param>
public sealed record LostWriteReport(int KeysChecked, int Lost, int Spurious, IReadOnlyList<string> Anomalies);

/// <summary>The analyses of a run's history that need no linearizability search.</summary>
public static class HistoryAnalysis
{
    private const int MaxAnomalies = 40;

    /// <summary>Counts operations by kind and outcome.</summary>
    /// <param name="history">The history.</param>
    /// <returns>One row per operation kind, in the format's order.</returns>
    public static IReadOnlyList<OperationCount> Count(IReadOnlyList<HistoryOperation> history)
        => [.. Enum.GetValues<HistoryOpKind>().Select(op =>
        {
            var ofKind = history.Where(o => o.Op == op).ToList();
            return new OperationCount(
                HistoryJson.OpName(op),
                ofKind.Count(o => o.Status == HistoryStatus.Ok),
                ofKind.Count(o => o.Status == HistoryStatus.Fail),
                ofKind.Count(o => o.Status == HistoryStatus.Unknown));
        })];

    /// <summary>
    /// For each kill (and crash of everything): the partitions whose primary died, and for each the time from the kill to
    /// the first successful write to it invoked after the kill; the longest per kill.
    /// </summary>
    /// <param name="history">The workload's history.</param>
    /// <param name="events">The nemesis's events.</param>
    /// <param name="partitionCount">The table's partition count.</param>
    /// <param name="workloadEnd">When the workload stopped (ns): later operations (final reads) do not count.</param>
    /// <returns>One entry per kill, in time order.</returns>
    public static IReadOnlyList<KillUnavailability> WriteUnavailability(
        IReadOnlyList<HistoryOperation> history, IReadOnlyList<NemesisEvent> events, int partitionCount, long workloadEnd)
    {
        var writes = history
            .Where(o => o.Status == HistoryStatus.Ok && o.Op != HistoryOpKind.Get && o.Call <= workloadEnd)
            .Select(o => (Partition: KeySpace.PartitionOf(o.Key, partitionCount), o.Call, Return: o.Return!.Value))
            .OrderBy(w => w.Call)
            .ToList();
        var result = new List<KillUnavailability>();
        foreach (var kill in events.Where(e => e.Kind is "kill" or "crash-all").OrderBy(e => e.Time))
        {
            var partitions = kill.Partitions ?? [.. Enumerable.Range(0, partitionCount)];
            (double Seconds, int Partition)? slowest = null;
            var unrecovered = new List<int>();
            foreach (var partition in partitions)
            {
                var first = writes.FirstOrDefault(w => w.Partition == partition && w.Call >= kill.Time);
                if (first == default)
                {
                    unrecovered.Add(partition);
                    continue;
                }

                var seconds = (first.Return - kill.Time) / 1e9;
                if (slowest is null || seconds > slowest.Value.Seconds)
                {
                    slowest = (seconds, partition);
                }
            }

            result.Add(new KillUnavailability(kill.Time, kill.Target, partitions, slowest?.Seconds, slowest?.Partition, unrecovered));
        }

        return result;
    }

    /// <summary>
    /// Checks every key's final read (the last ok read of <paramref name="finalProcess"/>) against the acknowledged writes:
    /// a register must not hold a value written before an acknowledged write that began after it returned, nor be absent
    /// when no delete could follow an acknowledged write; a counter must hold at least the sum of its acknowledged
    /// increments and at most that plus the unknown ones. A quick, explainable subset of what the linearizability check
    /// decides.
    /// </summary>
    /// <param name="history">The whole history, final reads included.</param>
    /// <param name="finalProcess">The process that made the final reads.</param>
    /// <returns>The findings.</returns>
    public static LostWriteReport LostWrites(IReadOnlyList<HistoryOperation> history, int finalProcess)
    {
        var finals = history
            .Where(o => o.Process == finalProcess && o.Op == HistoryOpKind.Get && o.Status == HistoryStatus.Ok)
            .GroupBy(o => o.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(o => o.Call)!.Result, StringComparer.Ordinal);
        var byKey = history.Where(o => o.Process != finalProcess).ToLookup(o => o.Key, StringComparer.Ordinal);
        var anomalies = new List<string>();
        var (lost, spurious) = (0, 0);
        foreach (var (key, final) in finals.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var operations = byKey[key].ToList();
            var (keyLost, keySpurious) = operations.Any(o => o.Op == HistoryOpKind.Incr)
                ? CheckCounter(key, final, operations, anomalies)
                : CheckRegister(key, final, operations, anomalies);
            (lost, spurious) = (lost + keyLost, spurious + keySpurious);
        }

        return new LostWriteReport(finals.Count, lost, spurious, [.. anomalies.Take(MaxAnomalies)]);
    }

    private static (int Lost, int Spurious) CheckRegister(string key, string? final, List<HistoryOperation> operations, List<string> anomalies)
    {
        var acknowledged = operations
            .Where(o => o.Status == HistoryStatus.Ok && (o.Op is HistoryOpKind.Set or HistoryOpKind.Del || (o.Op == HistoryOpKind.Cas && o.Result == "true")))
            .ToList();
        if (final is not null)
        {
            var writer = operations.FirstOrDefault(o => o.Value == final
                && (o.Status == HistoryStatus.Unknown || (o.Status == HistoryStatus.Ok && (o.Op == HistoryOpKind.Set || o.Result == "true"))));
            if (writer is null)
            {
                anomalies.Add($"{key}: final value {final} was never written (or only by a failed operation or check)");
                return (0, 1);
            }

            if (writer.Return is not { } written)
            {
                // An unknown write may take effect at any time after its call: it can be the last one.
                return (0, 0);
            }

            var overwritten = acknowledged.Where(o => o != writer && o.Call > written).ToList();
            foreach (var later in overwritten.Take(3))
            {
                anomalies.Add($"{key}: final value {final} (written by p{writer.Process}, returned {HistoryClock.Format(written)}), "
                    + $"but acknowledged {Describe(later)} began after it, at {HistoryClock.Format(later.Call)}: lost");
            }

            return (overwritten.Count, 0);
        }

        // Absent at the end: each acknowledged set must be followed by some delete that could come after it.
        var deletes = operations.Where(o => o.Op == HistoryOpKind.Del && o.Status != HistoryStatus.Fail).ToList();
        var orphaned = acknowledged
            .Where(o => o.Op != HistoryOpKind.Del && !deletes.Any(d => d.Return is not { } returned || returned >= o.Call))
            .ToList();
        foreach (var write in orphaned.Take(3))
        {
            anomalies.Add($"{key}: absent at the end, but acknowledged {Describe(write)} (called {HistoryClock.Format(write.Call)}) has no delete after it: lost");
        }

        return (orphaned.Count, 0);
    }

    private static (int Lost, int Spurious) CheckCounter(string key, string? final, List<HistoryOperation> operations, List<string> anomalies)
    {
        if (!long.TryParse(final ?? "0", NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            anomalies.Add($"{key}: final counter value '{final}' is not a number");
            return (0, 1);
        }

        var increments = operations.Where(o => o.Op == HistoryOpKind.Incr).ToList();
        var acknowledged = increments.Where(o => o.Status == HistoryStatus.Ok).Sum(o => o.Delta ?? 0);
        var maybe = increments.Where(o => o.Status == HistoryStatus.Unknown).Sum(o => o.Delta ?? 0);
        if (value < acknowledged)
        {
            anomalies.Add($"{key}: final counter {value} < {acknowledged}, the sum of acknowledged increments: lost increments");
            return (1, 0);
        }

        if (value > acknowledged + maybe)
        {
            anomalies.Add($"{key}: final counter {value} > {acknowledged + maybe}, the sum of every increment that may have happened: an increment applied twice");
            return (0, 1);
        }

        return (0, 0);
    }

    private static string Describe(HistoryOperation operation) => operation.Op switch
    {
        HistoryOpKind.Del => $"del by p{operation.Process}",
        _ => $"{HistoryJson.OpName(operation.Op)} {operation.Value} by p{operation.Process}",
    };
}
