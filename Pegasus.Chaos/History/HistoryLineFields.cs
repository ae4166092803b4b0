using System.Text.Json;

namespace Pegasus.Chaos.History;

/// <summary>The fields of one history line as read, before they become a <see cref="HistoryOperation"/>.</summary>
internal ref struct HistoryLineFields
{
    private long? _process;
    private string? _key;
    private string? _op;
    private string? _value;
    private string? _expect;
    private long? _delta;
    private long? _call;
    private long? _return;
    private string? _status;
    private string? _result;
    private string? _meta;
    private int _seen;

    public static HistoryLineFields Read(ReadOnlySpan<byte> utf8Line)
    {
        var reader = new Utf8JsonReader(utf8Line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new HistoryFormatException("not a JSON object");
        }

        var fields = default(HistoryLineFields);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            fields.Set(name, ref reader);
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new HistoryFormatException("not a JSON object");
        }

        // One object per line: Utf8JsonReader throws on anything but white space after it.
        reader.Read();
        return fields;
    }

    public readonly HistoryOperation ToOperation()
    {
        var process = _process ?? throw Missing(HistoryJson.ProcessField);
        var key = _key ?? throw Missing(HistoryJson.KeyField);
        var opName = _op ?? throw Missing(HistoryJson.OpField);
        var call = _call ?? throw Missing(HistoryJson.CallField);
        var statusName = _status ?? throw Missing(HistoryJson.StatusField);
        if (process is < int.MinValue or > int.MaxValue)
        {
            throw new HistoryFormatException("process must be a 32-bit integer");
        }

        if (!HistoryJson.TryParseOp(opName, out var op))
        {
            throw new HistoryFormatException($"op must be one of cas, del, get, incr, set (not \"{opName}\")");
        }

        if (!HistoryJson.TryParseStatus(statusName, out var status))
        {
            throw new HistoryFormatException($"status must be one of fail, ok, unknown (not \"{statusName}\")");
        }

        // The format allows "delta":0 on other ops; it means no delta.
        var delta = op == HistoryOpKind.Incr || _delta != 0 ? _delta : null;
        return new HistoryOperation((int)process, key, op, _value, _expect, delta, call, _return, status, _result, _meta);
    }

    private void Set(string name, ref Utf8JsonReader reader)
    {
        var bit = name switch
        {
            HistoryJson.ProcessField => 0,
            HistoryJson.KeyField => 1,
            HistoryJson.OpField => 2,
            HistoryJson.ValueField => 3,
            HistoryJson.ExpectField => 4,
            HistoryJson.DeltaField => 5,
            HistoryJson.CallField => 6,
            HistoryJson.ReturnField => 7,
            HistoryJson.StatusField => 8,
            HistoryJson.ResultField => 9,
            HistoryJson.MetaField => 10,
            _ => throw new HistoryFormatException($"unknown field \"{name}\""),
        };

        // JSON parsers disagree on which repeated field wins; a history must not depend on that.
        if ((_seen & (1 << bit)) != 0)
        {
            throw new HistoryFormatException($"field \"{name}\" appears twice");
        }

        _seen |= 1 << bit;
        switch (bit)
        {
            case 0: _process = Integer(ref reader, name); break;
            case 1: _key = Text(ref reader, name); break;
            case 2: _op = Text(ref reader, name); break;
            case 3: _value = Text(ref reader, name); break;
            case 4: _expect = Text(ref reader, name); break;
            case 5: _delta = Integer(ref reader, name); break;
            case 6: _call = Integer(ref reader, name); break;
            case 7: _return = Integer(ref reader, name); break;
            case 8: _status = Text(ref reader, name); break;
            case 9: _result = Text(ref reader, name); break;
            default: _meta = Text(ref reader, name); break;
        }
    }

    private static string? Text(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => throw new HistoryFormatException($"{name} must be a string or null"),
    };

    private static long? Integer(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        throw new HistoryFormatException($"{name} must be an int64 or null");
    }

    private static HistoryFormatException Missing(string name) => new($"missing {name}");
}
