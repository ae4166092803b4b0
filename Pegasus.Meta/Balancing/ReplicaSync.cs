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
    /// Whether a secondary may take the primary role without losing an acknowledged write: the primary reports the
    /// configuration (so every write it commits from then on waits for this secondary), and the secondary reports it
    /// too with a log reaching the primary's reported committed point (so it holds what was committed before). A
    /// learner that just joined may lack writes its primary committed before hearing that it joined: as a learner it
    /// was not waited for.
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

        var primaryState = nodes.GetReportedReplica(primary, appId, partition.PartitionIndex);
        var secondaryState = nodes.GetReportedReplica(secondary, appId, partition.PartitionIndex);
        return Follows(primaryState, partition, ReplicaRole.Primary)
            && Follows(secondaryState, partition, ReplicaRole.Secondary)
            && secondaryState!.LastPreparedDecree >= primaryState!.LastCommittedDecree;
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
