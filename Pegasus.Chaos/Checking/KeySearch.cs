using System.Diagnostics;

namespace Pegasus.Chaos.Checking;

/// <summary>
/// Searches one key's history for a linearization: Wing and Gong's depth-first search with Lowe's
/// just-in-time refinement (only operations whose call precedes the earliest pending return are
/// candidates) and a memo of reached configurations, as in Porcupine and Knossos.
/// </summary>
/// <remarks>
/// Completed operations sit in a doubly linked list of call and return events; linearizing one
/// unlinks both of its events, backtracking relinks them (dancing links). Pending (unknown) operations
/// have no return: they sit in a second list, are tried only after the completed candidates at each
/// point, and never have to be linearized. The search succeeds once every completed operation is.
/// </remarks>
internal sealed partial class KeySearch
{
    private const int Head = 0;

    private readonly KeyHistory _history;
    private readonly CheckerOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly int _completed;

    // Main list: node 1+2j is the call of completed j, 2+2j its return; Head is the sentinel.
    private readonly int[] _next;
    private readonly int[] _prev;

    // Pending list: node 1+u is pending u; Head is the sentinel.
    private readonly int[] _pendingNext;
    private readonly int[] _pendingPrev;

    private readonly ulong[] _completedBits;
    private readonly ulong[] _pendingBits;
    private readonly ulong[] _zobrist;
    private readonly SearchMemo _memo;

    // Per twin group, how many are linearized (without an unknown-effect window, always the earliest ones).
    private readonly int[] _twinsLinearized;

    private Frame[] _stack = new Frame[64];
    private int _depth;

    private int _state = RegisterValues.Absent;
    private int _linearized;
    private int _lowest;
    private int _highest = -1;
    private ulong _hash;

    // The latest call among linearized operations (for the unknown-effect window).
    private long _latestCall = long.MinValue;
    private long _steps;

    public KeySearch(KeyHistory history, CheckerOptions options, CancellationToken cancellationToken)
    {
        _history = history;
        _options = options;
        _cancellationToken = cancellationToken;
        _completed = history.Completed.Length;
        var pending = history.Pending.Length;

        _next = new int[(2 * _completed) + 1];
        _prev = new int[(2 * _completed) + 1];
        var last = Head;
        foreach (var code in history.MainOrder)
        {
            var node = code + 1;
            _next[last] = node;
            _prev[node] = last;
            last = node;
        }

        _next[last] = Head;
        _prev[Head] = last;

        _pendingNext = new int[pending + 1];
        _pendingPrev = new int[pending + 1];
        for (var node = 0; node <= pending; node++)
        {
            _pendingNext[node] = node == pending ? Head : node + 1;
            _pendingPrev[node] = node == 0 ? pending : node - 1;
        }

        _completedBits = new ulong[(_completed + 63) / 64];
        _pendingBits = new ulong[(pending + 63) / 64];
        _zobrist = new ulong[_completed];
        var seed = 0x5EED_0F_9E6A5005UL;
        for (var j = 0; j < _completed; j++)
        {
            _zobrist[j] = SplitMix64(ref seed);
        }

        _memo = new SearchMemo(_pendingBits.Length, _completed + pending);
        _twinsLinearized = new int[history.TwinGroups.Length];
        _bestLinearized = -1;
    }

    public KeyCheckResult Run()
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = Search(started);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var failure = outcome == CheckOutcome.Linearizable ? null : DescribeFailure(outcome);
        return new KeyCheckResult(_history.Key, outcome, _completed + _history.Pending.Length, _history.Pending.Length, _steps, elapsed, failure);
    }

    private CheckOutcome Search(long started)
    {
        long? deadline = _options.MaxTimePerKey is { } limit ? started + (long)(limit.TotalSeconds * Stopwatch.Frequency) : null;
        _memo.TryAdd(_hash, _state, 0, [], _pendingBits);

        // Where the scan of the current configuration is: a main-list node, or (past the first
        // return) a pending-list node; fresh means the configuration was just reached.
        var fresh = true;
        var node = Head;
        var inPending = false;
        var returnNode = Head;
        while (true)
        {
            if (_linearized == _completed)
            {
                return CheckOutcome.Linearizable;
            }

            var deadEnd = false;
            if (fresh)
            {
                fresh = false;
                inPending = false;
                node = _next[Head];
                if (FindForcedRead() is var read and >= 0)
                {
                    if (!WithinBudget(deadline))
                    {
                        return CheckOutcome.Unknown;
                    }

                    // A read that fits now may as well go now; if that configuration was reached
                    // before, it failed, and so does this one.
                    fresh = TryLinearizeCompleted(read, forced: true);
                    deadEnd = !fresh;
                }
            }
            else if (!inPending)
            {
                if (IsCall(node))
                {
                    var j = CompletedOf(node);
                    node = _next[node];
                    // A read-only operation that fits was forced, unless that would have closed a pending
                    // operation's window; one that does not fit is no candidate.
                    if (!_history.CompletedSteps[j].IsReadOnly || _history.HasEffectWindow)
                    {
                        if (!WithinBudget(deadline))
                        {
                            return CheckOutcome.Unknown;
                        }

                        fresh = TryLinearizeCompleted(j, forced: false);
                    }
                }
                else
                {
                    // The earliest return not yet linearized: no completed call after it may go first.
                    Debug.Assert(node != Head, "an unlinearized completed operation keeps its return in the list");
                    returnNode = node;
                    inPending = true;
                    node = _pendingNext[Head];
                    GatherObservers(returnNode);
                }
            }
            else if (node != Head && _history.PendingCallPosition[node - 1] < _history.ReturnPosition[CompletedOf(returnNode)])
            {
                var u = node - 1;
                node = _pendingNext[node];
                // Of interchangeable pending operations only the earliest unlinearized one is tried; one that
                // would leave the state as it is (a cas that fails) gains nothing over never happening; and
                // one whose new state nothing could observe before it is overwritten gains nothing either.
                if (IsFirstOfTwins(u) && IsCallableAfterLatest(u)
                    && _history.PendingSteps[u].TryApply(_state, _history.Values, out var next) && next != _state
                    && CanMatter(next))
                {
                    if (!WithinBudget(deadline))
                    {
                        return CheckOutcome.Unknown;
                    }

                    fresh = TryLinearizePending(u, next, returnNode);
                }
            }
            else
            {
                // Every candidate failed here: the returning operation cannot be placed after this prefix.
                RecordDeadEnd(returnNode);
                deadEnd = true;
            }

            if (!deadEnd)
            {
                continue;
            }

            // Back to the last free choice; a forced read was no choice, so its configuration fails too.
            Frame frame;
            do
            {
                if (_depth == 0)
                {
                    return CheckOutcome.NotLinearizable;
                }

                frame = Undo();
            }
            while (frame.Forced);

            if (frame.Operation >= 0)
            {
                inPending = false;
                node = _next[CallNode(frame.Operation)];
            }
            else
            {
                inPending = true;
                returnNode = frame.ReturnNode;
                node = _pendingNext[PendingNode(frame.Operation)];
                GatherObservers(returnNode);
            }
        }
    }

    /// <summary>Counts a step; false when the key is out of budget.</summary>
    private bool WithinBudget(long? deadline)
    {
        if (++_steps > _options.MaxStepsPerKey)
        {
            return false;
        }

        // The clock and the token are read every 4096 steps only: a step costs far less than a clock read.
        if ((_steps & 4095) == 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            return deadline is not { } d || Stopwatch.GetTimestamp() <= d;
        }

        return true;
    }

    private bool TryLinearizeCompleted(int j, bool forced)
    {
        if (!_history.CompletedSteps[j].TryApply(_state, _history.Values, out var next))
        {
            return false;
        }

        _completedBits[j >> 6] |= 1UL << j;
        var lowest = _lowest;
        if (j == lowest)
        {
            do
            {
                lowest++;
            }
            while (lowest < _completed && (_completedBits[lowest >> 6] & (1UL << lowest)) != 0);
        }

        var highest = Math.Max(_highest, j);
        var hash = _hash ^ _zobrist[j];
        if (!_memo.TryAdd(hash, next, lowest >> 6, Window(lowest, highest), _pendingBits))
        {
            _completedBits[j >> 6] &= ~(1UL << j);
            return false;
        }

        Push(new Frame(j, _state, _lowest, _highest, 0, forced, _latestCall));
        _latestCall = Math.Max(_latestCall, _history.Completed[j].Call);
        _lowest = lowest;
        _highest = highest;
        _hash = hash;
        _state = next;
        _linearized++;
        Unlink(CallNode(j), _next, _prev);
        Unlink(ReturnNode(j), _next, _prev);
        return true;
    }

    private bool TryLinearizePending(int u, int next, int returnNode)
    {
        _pendingBits[u >> 6] |= 1UL << u;
        if (!_memo.TryAdd(_hash, next, _lowest >> 6, Window(_lowest, _highest), _pendingBits))
        {
            _pendingBits[u >> 6] &= ~(1UL << u);
            return false;
        }

        Push(new Frame(-1 - u, _state, _lowest, _highest, returnNode, Forced: false, _latestCall));
        _latestCall = Math.Max(_latestCall, _history.Pending[u].Call);
        _state = next;
        _twinsLinearized[_history.PendingTwinGroup[u]]++;
        Unlink(PendingNode(-1 - u), _pendingNext, _pendingPrev);
        return true;
    }

    private Frame Undo()
    {
        var frame = _stack[--_depth];
        _state = frame.State;
        _lowest = frame.Lowest;
        _highest = frame.Highest;
        _latestCall = frame.LatestCall;
        if (frame.Operation >= 0)
        {
            var j = frame.Operation;
            _completedBits[j >> 6] &= ~(1UL << j);
            _hash ^= _zobrist[j];
            _linearized--;
            // Relink in the reverse order of unlinking, so each node finds its old neighbours.
            Relink(ReturnNode(j), _next, _prev);
            Relink(CallNode(j), _next, _prev);
        }
        else
        {
            var u = -1 - frame.Operation;
            _pendingBits[u >> 6] &= ~(1UL << u);
            _twinsLinearized[_history.PendingTwinGroup[u]]--;
            Relink(PendingNode(frame.Operation), _pendingNext, _pendingPrev);
        }

        return frame;
    }

    /// <summary>The completed bitset from the word of <paramref name="lowest"/> to the word of <paramref name="highest"/>.</summary>
    private ReadOnlySpan<ulong> Window(int lowest, int highest)
    {
        var low = lowest >> 6;
        var high = highest >> 6;
        return high < low ? [] : _completedBits.AsSpan(low, high - low + 1);
    }

    private void Push(Frame frame)
    {
        if (_depth == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }

        _stack[_depth++] = frame;
    }

    private static void Unlink(int node, int[] next, int[] prev)
    {
        next[prev[node]] = next[node];
        prev[next[node]] = prev[node];
    }

    private static void Relink(int node, int[] next, int[] prev)
    {
        next[prev[node]] = node;
        prev[next[node]] = node;
    }

    private static bool IsCall(int node) => (node & 1) == 1;

    private static int CompletedOf(int node) => (node - 1) >> 1;

    private static int CallNode(int j) => 1 + (2 * j);

    private static int ReturnNode(int j) => 2 + (2 * j);

    /// <summary>The pending-list node of a frame operation <c>-1-u</c>.</summary>
    private static int PendingNode(int operation) => -operation;

    private static ulong SplitMix64(ref ulong seed)
    {
        var z = seed += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// One linearized operation: <see cref="Operation"/> is a completed index j, or <c>-1-u</c> for pending u;
    /// the rest is what to restore on backtracking, where the scan of pending candidates was, and whether it
    /// was a forced read (no alternative to try).
    /// </summary>
    private readonly record struct Frame(int Operation, int State, int Lowest, int Highest, int ReturnNode, bool Forced, long LatestCall);
}
