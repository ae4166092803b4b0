using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pegasus.Meta.State.ZooKeeper;

/// <summary>The data of <c>next_app_id</c>: the id the next created table gets.</summary>
/// <param name="NextAppId">The id.</param>
internal sealed record NextAppIdNode(int NextAppId);

/// <summary>The data of <c>names/&lt;name&gt;</c>: which table holds the name.</summary>
/// <param name="AppId">The table's id.</param>
internal sealed record TableNameNode(int AppId);

/// <summary>Source-generated JSON of the ZooKeeper state nodes (compact: ZooKeeper keeps every node in memory).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(NextAppIdNode))]
[JsonSerializable(typeof(TableNameNode))]
[JsonSerializable(typeof(TableRecord))]
[JsonSerializable(typeof(PartitionConfigurationRecord))]
internal sealed partial class ZooKeeperStateJsonContext : JsonSerializerContext;
