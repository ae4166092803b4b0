namespace Pegasus.Chaos.Checking;

/// <summary>
/// The rules that keep the search small without losing linearizations: forced reads, interchangeable
/// pending operations, pending operations nothing could observe, and the unknown-effect window.
/// </summary>
internal sealed partial class KeySearch
{
    private const int NoExpect = -1;
    private const int AnyExpect = -2;

    // What the callable operations of the configuration being scanned for pending candidates can observe.
    private readonly HashSet<int> _observedStates = [];
    private readonly HashSet<long> _observedNumbers = [];
    private int _casFailedExpect;
    private bool _anyNumberObserved;

    /// <summary>
    /// A callable read-only operation (ok get, failed cas) that fits the current state, or -1. Placing
    /// it now loses nothing: it changes no state, nothing left has to precede it in real time, and
    /// (with an unknown-effect window) no pending operation runs out of its window because of it.
    /// </summary>
    private int FindForcedRead()
    {
        for (var node = _next[Head]; IsCall(node); node = _next[node])
        {
            var j = CompletedOf(node);
            var step = _history.CompletedSteps[j];
            if (step.IsReadOnly && step.TryApply(_state, _history.Values, out _) && !WouldExpirePending(_history.Completed[j].Call))
            {
                return j;
            }
        }

        return -1;
    }

    /// <summary>
    /// Gathers, for the current configuration, which states some callable operation other than a blind
    /// write could observe (see <see cref="CanMatter"/>). Over-approximating is safe: it only costs steps.
    /// </summary>
    private void GatherObservers(int returnNode)
    {
        _observedStates.Clear();
        _observedNumbers.Clear();
        _casFailedExpect = NoExpect;
        _anyNumberObserved = false;
        for (var node = _next[Head]; IsCall(node); node = _next[node])
        {
            var step = _history.CompletedSteps[CompletedOf(node)];
            switch (step.Kind)
            {
                case RegisterStepKind.Read:
                    _observedStates.Add(step.Value);
                    break;
                case RegisterStepKind.CasSucceeded:
                    _observedStates.Add(step.Expect);
                    break;
                case RegisterStepKind.CasFailed:
                    _casFailedExpect = _casFailedExpect == NoExpect || _casFailedExpect == step.Expect ? step.Expect : AnyExpect;
                    break;
                case RegisterStepKind.IncrObserved:
                    // It fits exactly the number its result minus its delta (if that does not overflow).
                    var before = unchecked(step.Result - step.Delta);
                    if (((step.Result ^ step.Delta) & (step.Result ^ before)) >= 0)
                    {
                        _observedNumbers.Add(before);
                    }

                    break;
            }
        }

        var returnPosition = _history.ReturnPosition[CompletedOf(returnNode)];
        for (var node = _pendingNext[Head]; node != Head && _history.PendingCallPosition[node - 1] < returnPosition; node = _pendingNext[node])
        {
            var step = _history.PendingSteps[node - 1];
            if (step.Kind == RegisterStepKind.CasBlind)
            {
                _observedStates.Add(step.Expect);
            }
            else if (step.Kind == RegisterStepKind.IncrBlind && IsCallableAfterLatest(node - 1))
            {
                // It moves any number to another, which something may observe later.
                _anyNumberObserved = true;
            }
        }
    }

    /// <summary>
    /// Whether linearizing a pending operation now, leaving <paramref name="state"/>, can lead anywhere
    /// new: only if some callable operation that is not a blind write could observe that state. Every
    /// other continuation begins with a blind write, which forgets the state, and was (or will be)
    /// searched from the current configuration without the pending operation.
    /// </summary>
    private bool CanMatter(int state)
        => _observedStates.Contains(state)
            || _casFailedExpect == AnyExpect
            || (_casFailedExpect != NoExpect && _casFailedExpect != state)
            || (_history.Values.TryGetNumber(state, out var number) && (_anyNumberObserved || _observedNumbers.Contains(number)));

    /// <summary>
    /// With <see cref="CheckerOptions.UnknownEffectWindow"/>, a pending operation cannot take effect after
    /// an operation called later than its window: it would have taken effect too late.
    /// </summary>
    private bool IsCallableAfterLatest(int u) => _latestCall <= _history.PendingDeadline[u];

    /// <summary>Whether linearizing an operation called at <paramref name="call"/> would close the window of a pending operation still open.</summary>
    private bool WouldExpirePending(long call)
    {
        if (!_history.HasEffectWindow || call <= _latestCall)
        {
            return false;
        }

        // Deadlines grow with call times: skip the ones already closed, then the linearized ones.
        var deadlines = _history.PendingDeadline;
        var u = Array.BinarySearch(deadlines, _latestCall);
        if (u < 0)
        {
            u = ~u;
        }

        while (u > 0 && deadlines[u - 1] >= _latestCall)
        {
            u--;
        }

        while (u < deadlines.Length && (_pendingBits[u >> 6] & (1UL << u)) != 0)
        {
            u++;
        }

        return u < deadlines.Length && deadlines[u] < call;
    }

    /// <summary>
    /// Whether <paramref name="u"/> is the earliest twin still open: not linearized and (with a window)
    /// not expired. Later twins are open whenever earlier ones are, so any solution using a later twin
    /// here can use the earliest one instead.
    /// </summary>
    private bool IsFirstOfTwins(int u)
    {
        var group = _history.PendingTwinGroup[u];
        var members = _history.TwinGroups[group];
        if (!_history.HasEffectWindow)
        {
            // Without a window twins never expire, so the linearized ones are always the earliest.
            return members[_twinsLinearized[group]] == u;
        }

        foreach (var member in members)
        {
            if (member == u)
            {
                return true;
            }

            if ((_pendingBits[member >> 6] & (1UL << member)) == 0 && IsCallableAfterLatest(member))
            {
                return false;
            }
        }

        return true;
    }
}
