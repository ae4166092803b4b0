using System.Text.Json.Serialization;

namespace Pegasus.Meta.Admin;

/// <summary>The body of <c>POST /v1/tables</c>.</summary>
/// <param name="Name">The table name.</param>
/// <param name="PartitionCount">The partition count; defaults to 4.</param>
/// <param name="ReplicaCount">The replica count; defaults to 3.</param>
public sealed record CreateTableBody(string? Name, int? PartitionCount, int? ReplicaCount);

/// <summary>A table as the admin API shows it.</summary>
/// <param name="Name">The table name.</param>
/// <param name="AppId">The table id.</param>
/// <param name="PartitionCount">The partition count.</param>
/// <param name="ReplicaCount">The replica count.</param>
/// <param name="Status">"Available" or "Dropped".</param>
/// <param name="Envs">The table's envs.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="DroppedAt">When it was dropped (absent while available).</param>
/// <param name="Partitions">Its partitions (absent in listings).</param>
public sealed record TableInfo(
    string Name,
    int AppId,
    int PartitionCount,
    int ReplicaCount,
    string Status,
    IReadOnlyDictionary<string, string> Envs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DroppedAt,
    IReadOnlyList<PartitionInfo>? Partitions);

/// <summary>A partition's configuration as the admin API shows it.</summary>
/// <param name="PartitionIndex">The partition index.</param>
/// <param name="Ballot">The ballot.</param>
/// <param name="Primary">The primary's address, or null.</param>
/// <param name="Secondaries">The secondaries' addresses.</param>
/// <param name="MaxReplicaCount">The copies it should have.</param>
public sealed record PartitionInfo(
    int PartitionIndex,
    long Ballot,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Primary,
    IReadOnlyList<string> Secondaries,
    int MaxReplicaCount);

/// <summary>A replica server as the admin API shows it.</summary>
/// <param name="Address">Its data address.</param>
/// <param name="Alive">Whether it beaconed within the grace period.</param>
/// <param name="LastBeaconAt">Its last beacon, or null if it has not beaconed this meta server.</param>
/// <param name="ReplicaCount">Replicas it is configured to serve.</param>
public sealed record NodeInfo(
    string Address,
    bool Alive,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastBeaconAt,
    int ReplicaCount);

/// <summary>The body of <c>GET /v1/cluster</c>.</summary>
/// <param name="IsLeader">Whether this meta server leads.</param>
/// <param name="LeaderGrpcAddress">The leader's gRPC address.</param>
/// <param name="LeaderHttpAddress">The leader's admin address.</param>
/// <param name="StateStore">"Embedded" or "ZooKeeper".</param>
public sealed record ClusterInfo(
    bool IsLeader,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LeaderGrpcAddress,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LeaderHttpAddress,
    string StateStore);

/// <summary>Every admin error: the Pegasus error code's name, why, and where the leader is.</summary>
/// <param name="Error">The <see cref="Protocol.ErrorCode"/> name, e.g. <c>InvalidParameters</c>.</param>
/// <param name="Message">Why.</param>
/// <param name="Leader">The leader's admin address, or null.</param>
public sealed record ErrorInfo(
    string Error,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Leader);
