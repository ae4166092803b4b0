using Pegasus.Protocol.Meta;

namespace Pegasus.Replica.Replication;

/// <summary>
/// A partition's configuration as this node follows it: the ballot, this node's role, and the members (which the
/// primary prepares to and a learner learns from). Replaced whole, never changed in place.
/// </summary>
/// <param name="Ballot">The configuration's ballot.</param>
/// <param name="Role">This node's role in it.</param>
/// <param name="Primary">The primary's address; empty when unknown (a ballot seen only in a prepare).</param>
/// <param name="Secondaries">The secondaries' addresses.</param>
/// <param name="Learners">The learners' addresses.</param>
public sealed record PartitionConfig(long Ballot, ReplicaRole Role, string Primary, IReadOnlyList<string> Secondaries, IReadOnlyList<string> Learners)
{
    /// <summary>Reads an assignment from a beacon answer.</summary>
    /// <param name="assignment">The assignment.</param>
    /// <returns>The configuration.</returns>
    public static PartitionConfig From(ReplicaAssignment assignment)
        => new(assignment.Ballot, assignment.Role, assignment.Primary, [.. assignment.Secondaries], [.. assignment.Learners]);

    /// <summary>Reads a configuration from the meta's answer to a proposal, with this node's role in it.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="self">This node's address.</param>
    /// <returns>The configuration, or null when this node is not a member.</returns>
    public static PartitionConfig? From(PartitionConfiguration configuration, string self)
    {
        var role = configuration.Primary == self ? ReplicaRole.Primary
            : configuration.Secondaries.Contains(self) ? ReplicaRole.Secondary
            : configuration.Learners.Contains(self) ? ReplicaRole.Learner
            : ReplicaRole.Inactive;
        return role == ReplicaRole.Inactive
            ? null
            : new(configuration.Ballot, role, configuration.Primary, [.. configuration.Secondaries], [.. configuration.Learners]);
    }
}
