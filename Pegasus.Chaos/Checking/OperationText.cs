using System.Globalization;
using System.Text;
using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Checking;

/// <summary>One-line renderings of operations for failure reports.</summary>
public static class OperationText
{
    /// <summary>E.g. <c>p3 cas("v1" → "v2") = "true" [1000, 1900] ok</c>.</summary>
    public static string Format(HistoryOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var text = new StringBuilder();
        text.Append('p').Append(operation.Process.ToString(CultureInfo.InvariantCulture)).Append(' ');
        switch (operation.Op)
        {
            case HistoryOpKind.Get:
                text.Append("get");
                break;
            case HistoryOpKind.Set:
                text.Append("set(").Append(Value(operation.Value)).Append(')');
                break;
            case HistoryOpKind.Del:
                text.Append("del");
                break;
            case HistoryOpKind.Incr:
                text.Append("incr(").Append((operation.Delta ?? 0).ToString(CultureInfo.InvariantCulture)).Append(')');
                break;
            default:
                text.Append("cas(").Append(Value(operation.Expect)).Append(" → ").Append(Value(operation.Value)).Append(')');
                break;
        }

        if (operation.Status == HistoryStatus.Ok && operation.Op is not (HistoryOpKind.Set or HistoryOpKind.Del))
        {
            text.Append(" = ").Append(Value(operation.Result));
        }

        text.Append(" [").Append(operation.Call.ToString(CultureInfo.InvariantCulture)).Append(", ")
            .Append(operation.Return is { } ret ? ret.ToString(CultureInfo.InvariantCulture) : "∞").Append("] ")
            .Append(HistoryJson.StatusName(operation.Status));
        return text.ToString();
    }

    /// <summary>A register value: quoted, or <c>absent</c>.</summary>
    public static string Value(string? value) => value is null ? "absent" : $"\"{value}\"";
}
