using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pegasus.Client;

/// <summary>Body of <c>POST /v1/tables</c>.</summary>
internal sealed record CreateTableBody(string Name, int PartitionCount, int ReplicaCount);

/// <summary>Body of an admin error: <c>{"error","message","leader"}</c>.</summary>
internal sealed record AdminErrorBody
{
    public string? Error { get; init; }

    public string? Message { get; init; }

    public string? Leader { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowReadingFromString, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CreateTableBody))]
[JsonSerializable(typeof(AdminErrorBody))]
[JsonSerializable(typeof(TableInfo))]
[JsonSerializable(typeof(List<TableInfo>))]
[JsonSerializable(typeof(List<NodeInfo>))]
[JsonSerializable(typeof(ClusterInfo))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;

/// <summary>Reads a timestamp written as an ISO 8601 string or as Unix milliseconds.</summary>
internal sealed class LenientDateTimeOffsetConverter : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64()),
        JsonTokenType.String when string.IsNullOrEmpty(reader.GetString()) => null,
        JsonTokenType.String => DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        _ => throw new JsonException($"expected a timestamp, found {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } timestamp)
        {
            writer.WriteStringValue(timestamp);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>Reads a name written as a string or, by a server serializing an enum as its number, as a number.</summary>
internal sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => reader.TryGetInt64(out var number) ? number.ToString(CultureInfo.InvariantCulture) : reader.GetDouble().ToString(CultureInfo.InvariantCulture),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => throw new JsonException($"expected a string, found {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
