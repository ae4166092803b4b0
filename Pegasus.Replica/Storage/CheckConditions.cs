using Pegasus.Protocol.Data;

namespace Pegasus.Replica.Storage;

/// <summary>The outcome of a check-and-set / check-and-mutate condition.</summary>
internal enum CheckOutcome
{
    Passed,
    Failed,

    /// <summary>An integer comparison met a value or operand that is not an int64.</summary>
    InvalidArgument,
}

/// <summary>Pegasus's <c>validate_check</c> for the 18 check types.</summary>
internal static class CheckConditions
{
    public static bool IsSupported(CheckType type)
        => type >= CheckType.NoCheck && type <= CheckType.ValueIntGreater;

    public static CheckOutcome Evaluate(CheckType type, ReadOnlySpan<byte> operand, bool valueExists, ReadOnlySpan<byte> value)
    {
        switch (type)
        {
            case CheckType.NoCheck:
                return CheckOutcome.Passed;
            case CheckType.ValueNotExist:
                return Outcome(!valueExists);
            case CheckType.ValueNotExistOrEmpty:
                return Outcome(!valueExists || value.IsEmpty);
            case CheckType.ValueExist:
                return Outcome(valueExists);
            case CheckType.ValueNotEmpty:
                return Outcome(valueExists && !value.IsEmpty);
            case CheckType.ValueMatchAnywhere:
            case CheckType.ValueMatchPrefix:
            case CheckType.ValueMatchPostfix:
                return Outcome(valueExists && MatchValue(type, operand, value));
            case CheckType.ValueBytesLess:
            case CheckType.ValueBytesLessOrEqual:
            case CheckType.ValueBytesEqual:
            case CheckType.ValueBytesGreaterOrEqual:
            case CheckType.ValueBytesGreater:
                return valueExists
                    ? Outcome(CompareMatches(value.SequenceCompareTo(operand), type - CheckType.ValueBytesLess))
                    : CheckOutcome.Failed;
            case CheckType.ValueIntLess:
            case CheckType.ValueIntLessOrEqual:
            case CheckType.ValueIntEqual:
            case CheckType.ValueIntGreaterOrEqual:
            case CheckType.ValueIntGreater:
                if (!valueExists)
                {
                    return CheckOutcome.Failed;
                }

                // Pegasus validates the stored value before the operand; both failures are the
                // caller's bad input, not a failed condition.
                if (!Int64Text.TryParse(value, out var valueInt) || !Int64Text.TryParse(operand, out var operandInt))
                {
                    return CheckOutcome.InvalidArgument;
                }

                return Outcome(CompareMatches(valueInt.CompareTo(operandInt), type - CheckType.ValueIntLess));
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported check type; check IsSupported first");
        }
    }

    private static CheckOutcome Outcome(bool passed) => passed ? CheckOutcome.Passed : CheckOutcome.Failed;

    private static bool MatchValue(CheckType type, ReadOnlySpan<byte> operand, ReadOnlySpan<byte> value)
    {
        if (operand.IsEmpty)
        {
            return true;
        }

        return type switch
        {
            CheckType.ValueMatchAnywhere => value.IndexOf(operand) >= 0,
            CheckType.ValueMatchPrefix => value.StartsWith(operand),
            _ => value.EndsWith(operand),
        };
    }

    /// <summary>
    /// Both comparison families are ordered less, less-or-equal, equal, greater-or-equal,
    /// greater; <paramref name="relation"/> is the position in that order.
    /// </summary>
    private static bool CompareMatches(int comparison, int relation)
    {
        const int LessOrEqual = 1;
        const int GreaterOrEqual = 3;
        if (comparison < 0)
        {
            return relation <= LessOrEqual;
        }

        if (comparison > 0)
        {
            return relation >= GreaterOrEqual;
        }

        return relation >= LessOrEqual && relation <= GreaterOrEqual;
    }
}
