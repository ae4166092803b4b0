using System.Text.Json;

namespace Pegasus.Chaos.History;

/// <summary>
/// The JSON Lines history format: field names, the op and status spellings, and how one operation is
/// written. A line is
/// <c>{"process":0,"key":"hk/sk","op":"set","value":"p0-17","call":1000,"return":1900,"status":"ok"}</c>;
/// fields that do not apply are omitted, except that a cas always writes <c>expect</c> (null: must be
/// absent) and an ok get always writes <c>result</c> (null: absent).
/// </summary>
public static class HistoryJson
{
    internal const string ProcessField = "process";
    internal const string KeyField = "key";
    internal const string OpField = "op";
    internal const string ValueField = "value";
    internal const string ExpectField = "expect";
    internal const string DeltaField = "delta";
    internal const string CallField = "call";
    internal const string ReturnField = "return";
    internal const string StatusField = "status";
    internal const string ResultField = "result";
    internal const string MetaField = "meta";

    public static string OpName(HistoryOpKind op) => op switch
    {
        HistoryOpKind.Get => "get",
        HistoryOpKind.Set => "set",
        HistoryOpKind.Del => "del",
        HistoryOpKind.Incr => "incr",
        HistoryOpKind.Cas => "cas",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a history op"),
    };

    public static string StatusName(HistoryStatus status) => status switch
    {
        HistoryStatus.Ok => "ok",
        HistoryStatus.Fail => "fail",
        HistoryStatus.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a history status"),
    };

    public static bool TryParseOp(string name, out HistoryOpKind op)
    {
        (var known, op) = name switch
        {
            "get" => (true, HistoryOpKind.Get),
            "set" => (true, HistoryOpKind.Set),
            "del" => (true, HistoryOpKind.Del),
            "incr" => (true, HistoryOpKind.Incr),
            "cas" => (true, HistoryOpKind.Cas),
            _ => (false, default),
        };
        return known;
    }

    public static bool TryParseStatus(string name, out HistoryStatus status)
    {
        (var known, status) = name switch
        {
            "ok" => (true, HistoryStatus.Ok),
            "fail" => (true, HistoryStatus.Fail),
            "unknown" => (true, HistoryStatus.Unknown),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>Writes <paramref name="operation"/> as one JSON object (no newline).</summary>
    /// <exception cref="ArgumentException">The operation breaks <see cref="HistoryOperationRules"/>.</exception>
    public static void Write(Utf8JsonWriter writer, HistoryOperation operation)
    {
        ArgumentNullException.ThrowIfNull(writer);
        // Refuse rather than write a line that the format checker, the reader or the checker would reject.
        if (HistoryOperationRules.FindProblem(operation) is { } problem)
        {
            throw new ArgumentException($"Not a well-formed history operation: {problem}.", nameof(operation));
        }

        writer.WriteStartObject();
        writer.WriteNumber(ProcessField, operation.Process);
        writer.WriteString(KeyField, operation.Key);
        writer.WriteString(OpField, OpName(operation.Op));
        if (operation.Value is { } value)
        {
            writer.WriteString(ValueField, value);
        }

        if (operation.Op == HistoryOpKind.Cas)
        {
            // Explicit null: "expect the key to be absent" must not read as a forgotten field.
            writer.WriteString(ExpectField, operation.Expect);
        }

        if (operation.Delta is { } delta)
        {
            writer.WriteNumber(DeltaField, delta);
        }

        writer.WriteNumber(CallField, operation.Call);
        if (operation.Return is { } ret)
        {
            writer.WriteNumber(ReturnField, ret);
        }

        writer.WriteString(StatusField, StatusName(operation.Status));
        if (operation.Status == HistoryStatus.Ok && operation.Op is HistoryOpKind.Get or HistoryOpKind.Incr or HistoryOpKind.Cas)
        {
            writer.WriteString(ResultField, operation.Result);
        }

        if (operation.Meta is { } meta)
        {
            writer.WriteString(MetaField, meta);
        }

        writer.WriteEndObject();
    }
}
