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
/// <param name="Learners">Replicas catching up before they join as secondaries.</param>
public sealed record PartitionInfo(
    int PartitionIndex,
    long Ballot,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Primary,
    IReadOnlyList<string> Secondaries,
    int MaxReplicaCount,
    IReadOnlyList<string> Learners);

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

/// <summary>The body of <c>GET /v1/rebalance</c>: the next round's plan and the counts it was made from.</summary>
/// <param name="Balanced">Whether there is nothing to do: no move planned, none under way, nothing blocking.</param>
/// <param name="AutoRebalance">Whether the meta leader runs rounds on its own (<c>Meta:AutoRebalance</c>).</param>
/// <param name="Blocked">Why nothing may move now (a partition needs repair first), or null.</param>
/// <param name="InFlight">Replica moves under way (partitions with a learner or a copy in excess).</param>
/// <param name="Moves">The moves a round would start now, primary moves first.</param>
/// <param name="Nodes">Per replica server, its counts over every available table.</param>
/// <param name="Tables">Per table, each server's counts in it (tables are balanced one by one).</param>
public sealed record RebalancePlanInfo(
    bool Balanced,
    bool AutoRebalance,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Blocked,
    int InFlight,
    IReadOnlyList<RebalanceMoveInfo> Moves,
    IReadOnlyList<NodeBalanceInfo> Nodes,
    IReadOnlyList<TableBalanceInfo> Tables);

/// <summary>The body of <c>POST /v1/rebalance</c>: what one round started.</summary>
/// <param name="Planned">How many moves the round planned.</param>
/// <param name="Started">The moves it made (a move is skipped when its partition changed since it was planned).</param>
/// <param name="Blocked">Why nothing could move, or null.</param>
/// <param name="InFlight">Replica moves that were already under way.</param>
public sealed record RebalanceRunInfo(
    int Planned,
    IReadOnlyList<RebalanceMoveInfo> Started,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Blocked,
    int InFlight);

/// <summary>One balance move.</summary>
/// <param name="Table">The table's name.</param>
/// <param name="AppId">The table's id.</param>
/// <param name="PartitionIndex">The partition.</param>
/// <param name="Kind"><c>Primary</c> (a role swap) or <c>Replica</c> (a learner, then the extra copy is trimmed).</param>
/// <param name="From">The node giving up the primary role, or expected to lose a copy.</param>
/// <param name="To">The node taking the primary role, or learning a copy.</param>
/// <param name="Ballot">The ballot the move is planned at.</param>
public sealed record RebalanceMoveInfo(string Table, int AppId, int PartitionIndex, string Kind, string From, string To, long Ballot);

/// <summary>A replica server's counts.</summary>
/// <param name="Address">Its data address.</param>
/// <param name="Alive">Whether it beaconed within the grace period.</param>
/// <param name="Primaries">Partitions it leads.</param>
/// <param name="Replicas">Partitions it serves as primary or secondary.</param>
/// <param name="Learners">Partitions it is learning.</param>
public sealed record NodeBalanceInfo(string Address, bool Alive, int Primaries, int Replicas, int Learners);

/// <summary>A table's per-server counts.</summary>
/// <param name="Name">The table's name.</param>
/// <param name="AppId">The table's id.</param>
/// <param name="Nodes">Each alive server and each server holding a copy of the table.</param>
public sealed record TableBalanceInfo(string Name, int AppId, IReadOnlyList<NodeBalanceInfo> Nodes);

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
