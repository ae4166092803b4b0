namespace Pegasus.Meta.FailureDetection;

/// <summary>What the meta server knows of one replica server.</summary>
/// <param name="Address">Its data address, its identity in the cluster.</param>
/// <param name="Alive">Whether its last beacon is within the grace period.</param>
/// <param name="LastBeaconAt">When its last beacon arrived; null if it has not beaconed this meta server.</param>
/// <param name="ReportedReplicaCount">How many replicas it reported in its last beacon.</param>
public readonly record struct NodeState(string Address, bool Alive, DateTimeOffset? LastBeaconAt, int ReportedReplicaCount);
