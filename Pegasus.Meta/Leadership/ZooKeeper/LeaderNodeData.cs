using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pegasus.Meta.Leadership.ZooKeeper;

/// <summary>The data of a meta server's election node: where it is reached if it leads.</summary>
/// <param name="GrpcAddress">Its advertised gRPC address.</param>
/// <param name="HttpAddress">Its advertised admin HTTP address.</param>
public sealed record LeaderNodeData(string GrpcAddress, string HttpAddress);

/// <summary>Source-generated JSON of <see cref="LeaderNodeData"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(LeaderNodeData))]
internal sealed partial class LeaderNodeJsonContext : JsonSerializerContext;
