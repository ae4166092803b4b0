using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Checking;

/// <summary>What an operation does to the register, with its observed result folded in.</summary>
internal enum RegisterStepKind : byte
{
    /// <summary>An ok get: the state must be <see cref="RegisterStep.Value"/>.</summary>
    Read,

    /// <summary>A set or del (ok or unknown): the state becomes <see cref="RegisterStep.Value"/>.</summary>
    Write,

    /// <summary>An ok incr: the new number must be <see cref="RegisterStep.Result"/>.</summary>
    IncrObserved,

    /// <summary>An unknown incr: any new number.</summary>
    IncrBlind,

    /// <summary>An ok cas that returned true: the state must be the expected one.</summary>
    CasSucceeded,

    /// <summary>An ok cas that returned false: the state must not be the expected one.</summary>
    CasFailed,

    /// <summary>An unknown cas: writes if the state is the expected one, else does nothing.</summary>
    CasBlind,
}

/// <summary>One operation compiled against a key's <see cref="RegisterValues"/>.</summary>
internal readonly record struct RegisterStep(RegisterStepKind Kind, int Value, int Expect, long Delta, long Result)
{
    /// <summary>Compiles an ok or unknown operation; unknown gets have no effect and are not compiled.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="values">The key's values.</param>
    /// <param name="observed">Every value some get of the key returns or some cas of it expects.</param>
    public static RegisterStep Compile(HistoryOperation operation, RegisterValues values, IReadOnlySet<string> observed)
    {
        var completed = operation.Status == HistoryStatus.Ok;
        switch (operation.Op)
        {
            case HistoryOpKind.Get:
                return new(RegisterStepKind.Read, values.Intern(operation.Result), 0, 0, 0);
            case HistoryOpKind.Set:
                return new(RegisterStepKind.Write, values.InternWritten(operation.Value!, observed), 0, 0, 0);
            case HistoryOpKind.Del:
                return new(RegisterStepKind.Write, RegisterValues.Absent, 0, 0, 0);
            case HistoryOpKind.Incr:
                var result = 0L;
                if (completed)
                {
                    // The format rules guarantee a decimal result on ok incrs.
                    HistoryOperationRules.TryParseDecimal(operation.Result!, out result);
                }

                return new(completed ? RegisterStepKind.IncrObserved : RegisterStepKind.IncrBlind, 0, 0, operation.Delta ?? 0, result);
            default:
                var kind = !completed ? RegisterStepKind.CasBlind
                    : operation.Result == "true" ? RegisterStepKind.CasSucceeded
                    : RegisterStepKind.CasFailed;
                return new(kind, values.InternWritten(operation.Value!, observed), values.Intern(operation.Expect), 0, 0);
        }
    }

    /// <summary>True for steps that only test the state (an ok get, a failed cas): they never change it.</summary>
    public bool IsReadOnly => Kind is RegisterStepKind.Read or RegisterStepKind.CasFailed;

    /// <summary>Applies the step to <paramref name="state"/>; false when the observed result rules it out there.</summary>
    public bool TryApply(int state, RegisterValues values, out int next)
    {
        next = state;
        switch (Kind)
        {
            case RegisterStepKind.Read:
                return state == Value;
            case RegisterStepKind.Write:
                next = Value;
                return true;
            case RegisterStepKind.IncrObserved:
            case RegisterStepKind.IncrBlind:
                // A non-integer value or an overflow makes the server refuse the incr: it cannot have happened here.
                if (!values.TryGetNumber(state, out var old) || !TryAdd(old, Delta, out var sum)
                    || (Kind == RegisterStepKind.IncrObserved && sum != Result))
                {
                    return false;
                }

                next = values.IdOfNumber(sum);
                return true;
            case RegisterStepKind.CasSucceeded:
                next = Value;
                return state == Expect;
            case RegisterStepKind.CasFailed:
                return state != Expect;
            default:
                if (state == Expect)
                {
                    next = Value;
                }

                return true;
        }
    }

    private static bool TryAdd(long a, long b, out long sum)
    {
        sum = unchecked(a + b);
        // Overflow iff both operands share a sign the sum lacks.
        return ((a ^ sum) & (b ^ sum)) >= 0;
    }
}
