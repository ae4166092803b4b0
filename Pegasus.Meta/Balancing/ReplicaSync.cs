using Pegasus.Meta.FailureDetection;
using Pegasus.Meta.State;
using Pegasus.Protocol.Meta;

namespace Pegasus.Meta.Balancing;

/// <summary>What the replicas' last beacons say about a partition's configuration having reached them.</summary>
public static class ReplicaSync
{
    /// <summary>Whether the primary and every secondary report the configuration's ballot in their role.</summary>
    /// <param name="nodes">The beacons' reports.</param>
    /// <param name="appId">The table.</param>
    /// <param name="partition">The configuration.</param>
    /// <returns>True when the configuration has reached every serving copy.</returns>
    public static bool IsSynced(NodeRegistry nodes, int appId, PartitionConfigurationRecord partition)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(partition);
        return partition.Primary is { } primary
            && Follows(nodes.GetReportedReplica(primary, appId, partition.PartitionIndex), partition, ReplicaRole.Primary)
            && partition.Secondaries.All(s => Follows(nodes.GetReportedReplica(s, appId, partition.PartitionIndex), partition, ReplicaRole.Secondary));
    }

    /// <summary>
    /// Whether a secondary holds every write its primary acknowledged, so it may take the primary role (or an older copy
    /// may go in its favour). Both must report the configuration's ballot in their roles; and the secondary's log must
    /// reach what the primary had committed when it first reported that ballot. From then on the primary commits only
    /// with this secondary, and before it may have committed without it: a learner that just joined was not waited for
    /// until its primary heard of the join. (Comparing with the primary's latest committed point instead would rarely
    /// hold under steady writes when the two beacons keep the same phase.)
    /// </summary>
    /// <param name="nodes">The beacons' reports.</param>
    /// <param name="appId">The table.</param>
    /// <param name="partition">The configuration.</param>
    /// <param name="secondary">One of its secondaries.</param>
    /// <returns>True when the secondary may lead.</returns>
    public static bool CanLead(NodeRegistry nodes, int appId, PartitionConfigurationRecord partition, string secondary)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(partition);
        if (partition.Primary is not { } primary || !partition.Secondaries.Contains(secondary))
        {
            return false;
        }

        var secondaryState = nodes.GetReportedReplica(secondary, appId, partition.PartitionIndex);
        return Follows(nodes.GetReportedReplica(primary, appId, partition.PartitionIndex), partition, ReplicaRole.Primary)
            && Follows(secondaryState, partition, ReplicaRole.Secondary)
            && nodes.GetCommittedAtBallotStart(primary, appId, partition.PartitionIndex, partition.Ballot) is { } committedWithoutIt
            && secondaryState!.LastPreparedDecree >= committedWithoutIt;
    }

    /// <summary>The secondaries of a partition that may lead now.</summary>
    /// <param name="nodes">The beacons' reports.</param>
    /// <param name="appId">The table.</param>
    /// <param name="partition">The configuration.</param>
    /// <returns>Their addresses.</returns>
    public static IReadOnlySet<string> LeadCandidates(NodeRegistry nodes, int appId, PartitionConfigurationRecord partition)
        => partition.Secondaries.Where(s => CanLead(nodes, appId, partition, s)).ToHashSet(StringComparer.Ordinal);

    private static bool Follows(ReplicaState? state, PartitionConfigurationRecord partition, ReplicaRole role)
        => state is not null && state.Ballot == partition.Ballot && state.Role == role;
}
