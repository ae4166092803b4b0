using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Checking;

/// <summary>
/// One key's operations prepared for the search: completed (ok) operations with call and return
/// events, pending (unknown) ones with only a call event, since they may take effect at any time after
/// their call or never. Failed operations and unknown gets have no effect and are left out.
/// </summary>
internal sealed class KeyHistory
{
    private KeyHistory(string key, int completed, int pending)
    {
        Key = key;
        Completed = new HistoryOperation[completed];
        CompletedIndex = new int[completed];
        CompletedSteps = new RegisterStep[completed];
        Pending = new HistoryOperation[pending];
        PendingIndex = new int[pending];
        PendingSteps = new RegisterStep[pending];
        CallPosition = new int[completed];
        ReturnPosition = new int[completed];
        PendingCallPosition = new int[pending];
        PendingTwinGroup = new int[pending];
        PendingDeadline = new long[pending];
        MainOrder = new int[2 * completed];
    }

    public string Key { get; }

    public RegisterValues Values { get; } = new();

    /// <summary>Ok operations, by call time.</summary>
    public HistoryOperation[] Completed { get; }

    public int[] CompletedIndex { get; }

    public RegisterStep[] CompletedSteps { get; }

    /// <summary>Unknown operations with an effect, by call time.</summary>
    public HistoryOperation[] Pending { get; }

    public int[] PendingIndex { get; }

    public RegisterStep[] PendingSteps { get; }

    /// <summary>Rank of each completed operation's call among all events of the key.</summary>
    public int[] CallPosition { get; }

    public int[] ReturnPosition { get; }

    public int[] PendingCallPosition { get; }

    /// <summary>
    /// The latest call time of an operation a pending one may still precede: its call plus the unknown-effect
    /// window, or <see cref="long.MaxValue"/> without one.
    /// </summary>
    public long[] PendingDeadline { get; }

    /// <summary>Whether an unknown-effect window applies (then <see cref="PendingDeadline"/> ascends).</summary>
    public bool HasEffectWindow { get; private set; }

    /// <summary>The twin group of each pending operation (see <see cref="TwinGroups"/>).</summary>
    public int[] PendingTwinGroup { get; }

    /// <summary>Pending operations with equal steps, each group by call time.</summary>
    public int[][] TwinGroups { get; private set; } = [];

    /// <summary>
    /// The completed operations' events in time order, as <c>2j</c> (call of j) and <c>2j+1</c> (return of j).
    /// </summary>
    public int[] MainOrder { get; }

    /// <summary>Prepares the operations (with their positions in the checked list) of one key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="all">The whole checked list.</param>
    /// <param name="indexes">The positions of the key's usable, not failed, operations in it.</param>
    /// <param name="unknownEffectWindow">How long after its call an unknown operation may take effect; null: any time.</param>
    public static KeyHistory Create(string key, IReadOnlyList<HistoryOperation> all, IReadOnlyList<int> indexes, TimeSpan? unknownEffectWindow)
    {
        var completed = new List<int>();
        var pending = new List<int>();
        foreach (var index in indexes)
        {
            var operation = all[index];
            if (operation.Status == HistoryStatus.Ok)
            {
                completed.Add(index);
            }
            else if (operation.Status == HistoryStatus.Unknown && operation.Op != HistoryOpKind.Get)
            {
                pending.Add(index);
            }
        }

        // By call time, then by position in the list, so the order (and the search) is deterministic.
        Comparison<int> byCall = (a, b) => all[a].Call != all[b].Call ? all[a].Call.CompareTo(all[b].Call) : a.CompareTo(b);
        completed.Sort(byCall);
        pending.Sort(byCall);

        var observed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var index in completed.Concat(pending))
        {
            if (all[index] is { Op: HistoryOpKind.Get, Result: { } read })
            {
                observed.Add(read);
            }
            else if (all[index] is { Op: HistoryOpKind.Cas, Expect: { } expected })
            {
                observed.Add(expected);
            }
        }

        var history = new KeyHistory(key, completed.Count, pending.Count);
        for (var j = 0; j < completed.Count; j++)
        {
            history.CompletedIndex[j] = completed[j];
            history.Completed[j] = all[completed[j]];
            history.CompletedSteps[j] = RegisterStep.Compile(all[completed[j]], history.Values, observed);
        }

        for (var u = 0; u < pending.Count; u++)
        {
            history.PendingIndex[u] = pending[u];
            history.Pending[u] = all[pending[u]];
            history.PendingSteps[u] = RegisterStep.Compile(all[pending[u]], history.Values, observed);
            history.PendingDeadline[u] = unknownEffectWindow is { } window
                ? SaturatingAdd(all[pending[u]].Call, NanosecondsOf(window))
                : long.MaxValue;
        }

        history.HasEffectWindow = unknownEffectWindow is not null;
        history.OrderEvents();
        history.GroupPendingTwins();
        return history;
    }

    /// <summary>
    /// Groups pending operations with the same compiled step. Once two of them are both callable they
    /// are interchangeable, so the search only ever tries the earliest one not yet linearized.
    /// </summary>
    private void GroupPendingTwins()
    {
        var classes = new Dictionary<RegisterStep, List<int>>();
        for (var u = 0; u < Pending.Length; u++)
        {
            if (!classes.TryGetValue(PendingSteps[u], out var members))
            {
                classes[PendingSteps[u]] = members = [];
            }

            members.Add(u);
        }

        TwinGroups = [.. classes.Values.Select(m => m.ToArray())];
        for (var group = 0; group < TwinGroups.Length; group++)
        {
            foreach (var u in TwinGroups[group])
            {
                PendingTwinGroup[u] = group;
            }
        }
    }

    private void OrderEvents()
    {
        // Event codes: 2j call of completed j, 2j+1 its return, int.MinValue+u call of pending u.
        var events = new List<(long Time, int Code)>((2 * Completed.Length) + Pending.Length);
        for (var j = 0; j < Completed.Length; j++)
        {
            events.Add((Completed[j].Call, 2 * j));
            events.Add((Completed[j].Return!.Value, (2 * j) + 1));
        }

        for (var u = 0; u < Pending.Length; u++)
        {
            events.Add((Pending[u].Call, int.MinValue + u));
        }

        // At equal times calls go before returns: operations that touch at an instant count as
        // concurrent, which can only add linearizations (no false alarms from clock granularity).
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time)
            : IsReturn(a.Code) != IsReturn(b.Code) ? (IsReturn(a.Code) ? 1 : -1)
            : a.Code.CompareTo(b.Code));

        var main = 0;
        for (var position = 0; position < events.Count; position++)
        {
            var code = events[position].Code;
            if (code < 0)
            {
                PendingCallPosition[code - int.MinValue] = position;
                continue;
            }

            MainOrder[main++] = code;
            if (IsReturn(code))
            {
                ReturnPosition[code >> 1] = position;
            }
            else
            {
                CallPosition[code >> 1] = position;
            }
        }
    }

    private static long NanosecondsOf(TimeSpan span)
    {
        const long NanosecondsPerTick = 1_000_000_000 / TimeSpan.TicksPerSecond;
        return span.Ticks > long.MaxValue / NanosecondsPerTick ? long.MaxValue : span.Ticks * NanosecondsPerTick;
    }

    private static long SaturatingAdd(long a, long b)
    {
        var sum = unchecked(a + b);
        return ((a ^ sum) & (b ^ sum)) >= 0 ? sum : a > 0 ? long.MaxValue : long.MinValue;
    }

    private static bool IsReturn(int code) => code >= 0 && (code & 1) == 1;
}
