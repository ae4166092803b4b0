using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pegasus.Meta.State;

/// <summary>The embedded store's file: the whole state as one JSON document.</summary>
/// <param name="FormatVersion">The file format; bumped on incompatible changes.</param>
/// <param name="NextAppId">The next-app-id counter with its version.</param>
/// <param name="Tables">Every table with its partitions and their versions.</param>
internal sealed record EmbeddedStateFile(int FormatVersion, Versioned<int> NextAppId, IReadOnlyList<StoredTable> Tables);

/// <summary>Source-generated JSON for the embedded store's file (human-readable on purpose: operators do look).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(EmbeddedStateFile))]
internal sealed partial class EmbeddedStateJsonContext : JsonSerializerContext;
