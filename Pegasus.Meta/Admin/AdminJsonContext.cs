using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pegasus.Meta.Admin;

/// <summary>Source-generated camelCase JSON for the admin API.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateTableBody))]
[JsonSerializable(typeof(TableInfo))]
[JsonSerializable(typeof(IReadOnlyList<TableInfo>))]
[JsonSerializable(typeof(IReadOnlyList<NodeInfo>))]
[JsonSerializable(typeof(ClusterInfo))]
[JsonSerializable(typeof(RebalancePlanInfo))]
[JsonSerializable(typeof(RebalanceRunInfo))]
[JsonSerializable(typeof(ErrorInfo))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
