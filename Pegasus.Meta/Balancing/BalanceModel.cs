using Pegasus.Meta.State;

namespace Pegasus.Meta.Balancing;

/// <summary>What a balance move changes.</summary>
public enum BalanceMoveKind
{
    /// <summary>The primary role moves to a secondary by a role swap: same members, no data copied.</summary>
    Primary,

    /// <summary>A copy moves: a learner is added on the receiving node; once it joins, the guardian trims the extra copy.</summary>
    Replica,
}

/// <summary>One move of a balance plan.</summary>
/// <param name="AppId">The table.</param>
/// <param name="PartitionIndex">The partition.</param>
/// <param name="Ballot">The ballot the move was planned at: it is made only if the configuration has not changed since.</param>
/// <param name="Kind">What moves.</param>
/// <param name="From">The node giving up the primary role, or the node expected to lose a copy when the partition is trimmed.</param>
/// <param name="To">The node taking the primary role, or the node that learns a copy.</param>
public readonly record struct BalanceMove(int AppId, int PartitionIndex, long Ballot, BalanceMoveKind Kind, string From, string To);

/// <summary>A table as the planner sees it.</summary>
/// <param name="AppId">The table's id.</param>
/// <param name="Name">The table's name.</param>
/// <param name="Partitions">Its partitions, by index.</param>
public sealed record BalanceTable(int AppId, string Name, IReadOnlyList<BalancePartition> Partitions);

/// <summary>A partition as the planner sees it: its configuration and what its replicas last reported.</summary>
/// <param name="Configuration">The configuration the meta leader holds.</param>
/// <param name="Synced">
/// Whether the primary and every secondary report following this configuration (its ballot, in their role), so the
/// last change has reached them; a partition that is not synced is left alone this round.
/// </param>
/// <param name="CanLead">
/// The secondaries that may take the primary role now without losing an acknowledged write (see
/// <see cref="ReplicaSync.CanLead"/>); primary moves only go to these.
/// </param>
public sealed record BalancePartition(PartitionConfigurationRecord Configuration, bool Synced, IReadOnlySet<string> CanLead);

/// <summary>The planner's answer.</summary>
/// <param name="Moves">The moves to start now, primary moves first; within the budget left by moves in flight (a chain
/// of role swaps counting as one).</param>
/// <param name="InFlight">Replica moves under way: partitions with a learner or with more copies than they should have.</param>
/// <param name="Blocked">Why nothing may move now (a partition is short of copies, has no primary or a member that is not
/// alive: repairs go first), or null.</param>
public sealed record BalancePlan(IReadOnlyList<BalanceMove> Moves, int InFlight, string? Blocked)
{
    /// <summary>Gets a value indicating whether there is nothing to do: no move planned, none under way, nothing blocking.</summary>
    public bool IsBalanced => Moves.Count == 0 && InFlight == 0 && Blocked is null;
}

/// <summary>
/// How to bring an over-replicated partition (more serving copies than it should have, no learner) one copy closer:
/// remove <see cref="Victim"/>, a secondary; or, when the copy to drop is the primary's, first swap the primary role to
/// <see cref="NewPrimary"/> (the victim is then removed by a later step).
/// </summary>
/// <param name="Victim">The node whose copy goes.</param>
/// <param name="NewPrimary">When the victim is the primary, the secondary that takes its role first; otherwise null.</param>
public readonly record struct TrimStep(string Victim, string? NewPrimary);
