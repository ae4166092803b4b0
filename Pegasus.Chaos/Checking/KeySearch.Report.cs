using System.Globalization;
using System.Text;
using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Checking;

/// <summary>The deepest dead end the search met, and how it is explained.</summary>
internal sealed partial class KeySearch
{
    private int _bestLinearized;
    private int _bestState;
    private int _bestUnplaced;
    private string? _bestValue;
    private (HistoryOperation Operation, int Index)[] _bestTail = [];
    private (HistoryOperation Operation, int Index)[] _bestCandidates = [];

    /// <summary>Remembers the dead end if it holds more completed operations than any before.</summary>
    private void RecordDeadEnd(int returnNode)
    {
        if (_linearized <= _bestLinearized)
        {
            return;
        }

        var unplaced = CompletedOf(returnNode);
        var limit = _options.ExplanationOperations;
        _bestLinearized = _linearized;
        _bestState = _state;
        _bestValue = CurrentValue();
        _bestUnplaced = unplaced;
        _bestTail = new (HistoryOperation, int)[Math.Min(limit, _depth)];
        for (var i = 0; i < _bestTail.Length; i++)
        {
            _bestTail[i] = OperationAt(_stack[_depth - _bestTail.Length + i].Operation);
        }

        var candidates = new List<(HistoryOperation, int)>();
        for (var node = _next[Head]; node != returnNode && candidates.Count < limit; node = _next[node])
        {
            if (CompletedOf(node) != unplaced)
            {
                candidates.Add(OperationAt(CompletedOf(node)));
            }
        }

        var returnPosition = _history.ReturnPosition[unplaced];
        for (var node = _pendingNext[Head];
             node != Head && _history.PendingCallPosition[node - 1] < returnPosition && candidates.Count < limit;
             node = _pendingNext[node])
        {
            if (IsCallableAfterLatest(node - 1))
            {
                candidates.Add(OperationAt(-node));
            }
        }

        _bestCandidates = [.. candidates];
    }

    /// <summary>
    /// The register's value now. An <see cref="RegisterValues.Opaque"/> state stands for many values:
    /// the real one is what the latest write on the stack wrote.
    /// </summary>
    private string? CurrentValue()
    {
        if (_state != RegisterValues.Opaque)
        {
            return _history.Values.ValueOf(_state);
        }

        // Later writes of other values would have left another state, so the latest opaque write is it.
        for (var i = _depth - 1; i >= 0; i--)
        {
            var frame = _stack[i];
            var step = frame.Operation >= 0 ? _history.CompletedSteps[frame.Operation] : _history.PendingSteps[-1 - frame.Operation];
            var wrote = step.Kind switch
            {
                RegisterStepKind.Write or RegisterStepKind.CasSucceeded => true,
                RegisterStepKind.CasBlind => frame.State == step.Expect,
                _ => false,
            };
            if (wrote && step.Value == RegisterValues.Opaque)
            {
                return OperationAt(frame.Operation).Operation.Value;
            }
        }

        return _history.Values.ValueOf(_state);
    }

    private (HistoryOperation Operation, int Index) OperationAt(int operation) => operation >= 0
        ? (_history.Completed[operation], _history.CompletedIndex[operation])
        : (_history.Pending[-1 - operation], _history.PendingIndex[-1 - operation]);

    private KeyFailure? DescribeFailure(CheckOutcome outcome)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"key \"{_history.Key}\": ");
        if (outcome == CheckOutcome.Unknown)
        {
            text.Append(CultureInfo.InvariantCulture, $"unknown (budget exceeded after {_steps} steps, {_memo.Count} configurations)");
            if (_bestLinearized < 0)
            {
                return null;
            }

            text.Append("; deepest dead end so far: ");
        }
        else
        {
            text.Append("not linearizable: ");
        }

        var unplaced = _history.Completed[_bestUnplaced];
        var value = _bestValue;
        text.Append(CultureInfo.InvariantCulture,
            $"the longest linearizable prefix holds {_bestLinearized} of {_completed} completed operations and leaves the value {OperationText.Value(value)}.");
        text.AppendLine();
        if (_bestTail.Length > 0)
        {
            text.AppendLine("  last operations of that prefix, in linearization order:");
            foreach (var (operation, index) in _bestTail)
            {
                text.Append(CultureInfo.InvariantCulture, $"    #{index} {OperationText.Format(operation)}").AppendLine();
            }
        }

        var unplacedIndex = _history.CompletedIndex[_bestUnplaced];
        text.Append(CultureInfo.InvariantCulture, $"  cannot place #{unplacedIndex} {OperationText.Format(unplaced)}: {Reason(_bestUnplaced, value)}");
        if (_bestCandidates.Length > 0)
        {
            text.AppendLine();
            text.Append("  other operations that could have come next (each leads to a dead end):");
            foreach (var (operation, index) in _bestCandidates)
            {
                text.AppendLine().Append(CultureInfo.InvariantCulture, $"    #{index} {OperationText.Format(operation)}");
            }
        }

        return new KeyFailure(
            _bestLinearized,
            _completed,
            [.. _bestTail.Select(t => t.Operation)],
            value,
            unplaced,
            unplacedIndex,
            [.. _bestCandidates.Select(c => c.Operation)],
            text.ToString());
    }

    private static string IncrReason(HistoryOperation operation, long number)
    {
        var delta = operation.Delta ?? 0;
        var sum = unchecked(number + delta);
        var shown = $"{number.ToString(CultureInfo.InvariantCulture)} + {delta.ToString(CultureInfo.InvariantCulture)}";
        return ((number ^ sum) & (delta ^ sum)) < 0
            ? $"{shown} overflows int64"
            : $"it returned {operation.Result} but {shown} = {sum.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Why the unplaced operation does not fit after the prefix.</summary>
    private string Reason(int j, string? value)
    {
        var operation = _history.Completed[j];
        var shown = OperationText.Value(value);
        if (_history.CompletedSteps[j].TryApply(_bestState, _history.Values, out _))
        {
            return "it fits here, but no order of the operations after it does";
        }

        var isNumber = _history.Values.TryGetNumber(_bestState, out var number);
        return operation.Op switch
        {
            HistoryOpKind.Get => $"it read {OperationText.Value(operation.Result)} but the value is {shown}",
            HistoryOpKind.Incr when !isNumber => $"the value {shown} is not an integer",
            HistoryOpKind.Incr => IncrReason(operation, number),
            HistoryOpKind.Cas when operation.Result == "true" => $"it succeeded expecting {OperationText.Value(operation.Expect)} but the value is {shown}",
            HistoryOpKind.Cas => $"it failed, yet the value is the expected {shown}",
            _ => "it does not fit here",
        };
    }
}
