using System.Globalization;

namespace Pegasus.Chaos.History;

/// <summary>
/// The rules a <see cref="HistoryOperation"/> obeys beyond its JSON types, shared by the writer (so it
/// never writes a line the format checker or the reader rejects) and the reader and checker.
/// </summary>
public static class HistoryOperationRules
{
    /// <summary>Describes what is wrong with <paramref name="operation"/>, or returns null when it is well-formed.</summary>
    public static string? FindProblem(HistoryOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var op = operation.Op;
        if (!Enum.IsDefined(op))
        {
            return $"op {(int)op} is not one of get, set, del, incr, cas";
        }

        if (!Enum.IsDefined(operation.Status))
        {
            return $"status {(int)operation.Status} is not one of ok, fail, unknown";
        }

        // The record's Key is non-nullable, but records built by hand or deserialized loosely can still carry null.
        if (operation.Key is null)
        {
            return "missing key";
        }

        if (operation.Return is { } ret && ret < operation.Call)
        {
            return "return must be >= call";
        }

        if (operation.Status == HistoryStatus.Ok && operation.Return is null)
        {
            return "status ok needs return";
        }

        var name = HistoryJson.OpName(op);
        var writes = op is HistoryOpKind.Set or HistoryOpKind.Cas;
        if (writes && operation.Value is null)
        {
            return $"{name} needs a string value";
        }

        if (!writes && operation.Value is not null)
        {
            return $"{name} must not carry value";
        }

        if (op != HistoryOpKind.Cas && operation.Expect is not null)
        {
            return "only cas carries expect";
        }

        if (op == HistoryOpKind.Incr && operation.Delta is null)
        {
            return "incr needs an integer delta";
        }

        if (op != HistoryOpKind.Incr && operation.Delta is not null)
        {
            return "only incr carries delta";
        }

        return FindResultProblem(operation, name);
    }

    /// <summary>Parses an incr result: a decimal int64 with an optional sign.</summary>
    public static bool TryParseDecimal(string text, out long value)
        => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static string? FindResultProblem(HistoryOperation operation, string name)
    {
        var result = operation.Result;
        if (operation.Status != HistoryStatus.Ok)
        {
            return result is null ? null : "result only with status ok";
        }

        return operation.Op switch
        {
            HistoryOpKind.Incr when result is null || !TryParseDecimal(result, out _)
                => "incr result must be the new value as a decimal string",
            HistoryOpKind.Cas when result is not ("true" or "false") => "cas result must be \"true\" or \"false\"",
            HistoryOpKind.Set or HistoryOpKind.Del when result is not null => $"{name} has no result",
            _ => null,
        };
    }
}
