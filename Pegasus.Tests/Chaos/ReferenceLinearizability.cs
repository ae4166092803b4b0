using System.Globalization;
using Pegasus.Chaos.History;

namespace Pegasus.Tests.Chaos;

/// <summary>
/// A deliberately plain linearizability check for tiny single-key histories, to test the real
/// checker against: try every operation that may go next, remember failed (set, value) pairs, no
/// other pruning. Unknown operations may be placed after their call (and, with a window, before any
/// operation called more than the window after them) or never; failed ones never.
/// </summary>
internal static class ReferenceLinearizability
{
    public static bool IsLinearizable(IReadOnlyList<HistoryOperation> history, long? unknownWindow = null)
    {
        var ops = history.Where(o => o.Status != HistoryStatus.Fail).ToArray();
        if (ops.Length > 20)
        {
            throw new ArgumentException("Only tiny histories.", nameof(history));
        }

        var failed = new HashSet<(int, string?)>();
        return Search(ops, 0, null, failed, unknownWindow);
    }

    private static bool Search(HistoryOperation[] ops, int done, string? value, HashSet<(int, string?)> failed, long? window)
    {
        if (Enumerable.Range(0, ops.Length).All(i => (done & (1 << i)) != 0 || ops[i].Status != HistoryStatus.Ok))
        {
            return true;
        }

        if (failed.Contains((done, value)))
        {
            return false;
        }

        for (var i = 0; i < ops.Length; i++)
        {
            if ((done & (1 << i)) != 0 || !MayGoNext(ops, done, i, window) || !TryApply(ops[i], value, out var next))
            {
                continue;
            }

            if (Search(ops, done | (1 << i), next, failed, window))
            {
                return true;
            }
        }

        failed.Add((done, value));
        return false;
    }

    /// <summary>
    /// No operation left undone returned before this one was called (touching counts as overlapping), and
    /// an unknown one is not placed after an operation called beyond its window.
    /// </summary>
    private static bool MayGoNext(HistoryOperation[] ops, int done, int i, long? window)
    {
        if (window is { } w && ops[i].Status == HistoryStatus.Unknown
            && Enumerable.Range(0, ops.Length).Any(p => (done & (1 << p)) != 0 && ops[p].Call > ops[i].Call + w))
        {
            return false;
        }

        for (var p = 0; p < ops.Length; p++)
        {
            if (p != i && (done & (1 << p)) == 0 && ops[p].Status == HistoryStatus.Ok && ops[p].Return < ops[i].Call)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryApply(HistoryOperation op, string? value, out string? next)
    {
        var ok = op.Status == HistoryStatus.Ok;
        next = value;
        switch (op.Op)
        {
            case HistoryOpKind.Get:
                return !ok || op.Result == value;
            case HistoryOpKind.Set:
                next = op.Value;
                return true;
            case HistoryOpKind.Del:
                next = null;
                return true;
            case HistoryOpKind.Incr:
                long old = 0;
                if (!string.IsNullOrEmpty(value) && !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out old))
                {
                    return false;
                }

                var sum = old + op.Delta!.Value;
                next = sum.ToString(CultureInfo.InvariantCulture);
                return !ok || long.Parse(op.Result!, CultureInfo.InvariantCulture) == sum;
            default:
                var matches = op.Expect == value;
                if (matches)
                {
                    next = op.Value;
                }

                return !ok || (op.Result == "true") == matches;
        }
    }
}
