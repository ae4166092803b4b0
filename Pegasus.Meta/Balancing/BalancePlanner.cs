using Pegasus.Meta.State;

namespace Pegasus.Meta.Balancing;

/// <summary>
/// Plans load balancing, as a pure function of the available tables' partition configurations and the alive nodes.
/// Each table is balanced on its own (a hot table spreads over every node), with the cluster-wide counts breaking ties
/// and evening out what the tables leave over; see <see cref="NodeLoad.Exceeds"/> for when a move is worth making.
/// <list type="number">
/// <item><description>Primary moves first: a role swap hands a partition's primary role to one of its secondaries (same
/// members, ballot + 1, no data copied). A chain of swaps (A leads p1 where B is a secondary, B leads p2 where C is)
/// moves one primary from A to C; the planner looks for the shortest chain from a node with too many primaries to the
/// least loaded node it reaches.</description></item>
/// <item><description>Replica moves next: a learner is added on a node that does not hold the partition; once it has
/// caught up and joined, the partition has one copy too many and the guardian's trim rule (<see cref="ChooseTrim(int, PartitionConfigurationRecord, BalanceLoad, Func{string, bool})"/>)
/// removes the copy on the most loaded node. The planner predicts that copy with the same rule, so a plan's
/// <see cref="BalanceMove.From"/> is where the copy is expected to leave.</description></item>
/// </list>
/// Nothing moves while any partition lacks a primary, has a member that is not alive or is short of copies: repairs
/// come first. A partition is moved at most once per plan, never while it has a learner or extra copies (a move under
/// way) or while its replicas have not reported its current configuration. Copies are added before any is removed, so
/// no partition ever has fewer serving copies than it should, and its write quorum never shrinks below that.
/// </summary>
public static partial class BalancePlanner
{
    /// <summary>Plans the moves to start now.</summary>
    /// <param name="tables">The available tables.</param>
    /// <param name="aliveNodes">The replica servers that are alive (beaconing); every one of them may receive load.</param>
    /// <param name="maxConcurrentMoves">How many moves may be under way at once: the plan holds at most this many minus
    /// the replica moves in flight, a chain of role swaps (which moves one primary, and ends at once) counting as one.</param>
    /// <returns>The plan.</returns>
    public static BalancePlan Plan(IReadOnlyList<BalanceTable> tables, IReadOnlyCollection<string> aliveNodes, int maxConcurrentMoves)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(aliveNodes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentMoves, 1);
        var alive = aliveNodes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var aliveSet = alive.ToHashSet(StringComparer.Ordinal);

        var inFlight = tables.Sum(t => t.Partitions.Count(p => IsInFlight(p.Configuration)));
        foreach (var table in tables)
        {
            foreach (var partition in table.Partitions)
            {
                if (Unhealthy(table.AppId, partition.Configuration, aliveSet) is { } reason)
                {
                    return new BalancePlan([], inFlight, reason);
                }
            }
        }

        var load = BalanceLoad.Of(tables.SelectMany(t => t.Partitions.Select(p => (t.AppId, p.Configuration))));
        foreach (var table in tables)
        {
            foreach (var partition in table.Partitions.Where(p => IsInFlight(p.Configuration)))
            {
                ProjectTrims(table.AppId, partition.Configuration, load);
            }
        }

        var moves = new List<BalanceMove>();
        var budget = maxConcurrentMoves - inFlight;
        var touched = new HashSet<(int AppId, int PartitionIndex)>();
        foreach (var table in tables.OrderBy(t => t.AppId))
        {
            PlanPrimaryMoves(table, alive, load, touched, moves, ref budget);
        }

        foreach (var table in tables.OrderBy(t => t.AppId))
        {
            PlanReplicaMoves(table, alive, load, touched, moves, ref budget);
        }

        return new BalancePlan(moves, inFlight, null);
    }

    /// <summary>
    /// The guardian's trim rule: the next step for a partition with more serving copies than it should have and no
    /// learner (a replica move whose learner joined). The copy to drop is the one on the most loaded node (the table's
    /// count, then the cluster's; among equals the secondary listed first, as joining learners are listed last). A
    /// secondary's copy is removed at once; when the primary's node is the most loaded, the secondary with the fewest
    /// primaries among those that <paramref name="canLead"/> takes the primary role first, and the old primary's copy
    /// goes in a later step. Nothing is removed from a partition with a learner, nor below its replica count.
    /// </summary>
    /// <param name="appId">The partition's table.</param>
    /// <param name="partition">The configuration.</param>
    /// <param name="load">The current counts (members of every partition, learners included).</param>
    /// <param name="canLead">Whether a secondary may take the primary role now.</param>
    /// <returns>The step, or null when there is nothing to trim or no secondary may lead yet.</returns>
    public static TrimStep? ChooseTrim(int appId, PartitionConfigurationRecord partition, BalanceLoad load, Func<string, bool> canLead)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(load);
        return ChooseTrim(partition, node => load.Replicas(appId, node), node => load.Primaries(appId, node), canLead);
    }

    private static TrimStep? ChooseTrim(
        PartitionConfigurationRecord partition, Func<string, NodeLoad> replicas, Func<string, NodeLoad> primaries, Func<string, bool> canLead)
    {
        // A learner still learning keeps every copy: the extra one is removed only once it serves.
        if (partition.Primary is not { } primary
            || partition.LearnerNodes.Count > 0
            || partition.ServingCount <= partition.MaxReplicaCount
            || partition.Secondaries.Count == 0)
        {
            return null;
        }

        var victim = partition.Secondaries[0];
        foreach (var secondary in partition.Secondaries.Skip(1))
        {
            if (replicas(secondary).CompareTo(replicas(victim)) > 0)
            {
                victim = secondary;
            }
        }

        if (replicas(primary).CompareTo(replicas(victim)) <= 0)
        {
            return new TrimStep(victim, null);
        }

        // The primary's copy is the one to go: a secondary takes its role first (a role swap), preferring the fewest primaries.
        string? next = null;
        foreach (var secondary in partition.Secondaries.Where(canLead))
        {
            if (next is null
                || primaries(secondary).CompareTo(primaries(next)) < 0
                || (primaries(secondary).CompareTo(primaries(next)) == 0 && replicas(secondary).CompareTo(replicas(next)) < 0))
            {
                next = secondary;
            }
        }

        return next is null ? null : new TrimStep(primary, next);
    }

    /// <summary>Whether a replica move is under way in the partition: a learner, or more serving copies than it should have.</summary>
    /// <param name="partition">The configuration.</param>
    /// <returns>True when a move is in flight.</returns>
    public static bool IsInFlight(PartitionConfigurationRecord partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        return partition.ServingCount >= partition.MaxReplicaCount
            && (partition.LearnerNodes.Count > 0 || partition.ServingCount > partition.MaxReplicaCount);
    }

    /// <summary>Why a partition needs repair before anything may move, or null when it does not.</summary>
    private static string? Unhealthy(int appId, PartitionConfigurationRecord partition, HashSet<string> alive)
    {
        if (partition.Primary is null)
        {
            return $"partition {appId}.{partition.PartitionIndex} has no primary";
        }

        if (partition.Members.FirstOrDefault(member => !alive.Contains(member)) is { } lost)
        {
            return $"partition {appId}.{partition.PartitionIndex}: {lost} is not alive";
        }

        return partition.ServingCount < partition.MaxReplicaCount
            ? $"partition {appId}.{partition.PartitionIndex} has {partition.ServingCount} of {partition.MaxReplicaCount} copies"
            : null;
    }

    /// <summary>Counts a move in flight where it will end: its learners join, then the trim rule removes the extra copies.</summary>
    private static void ProjectTrims(int appId, PartitionConfigurationRecord partition, BalanceLoad load)
    {
        var projected = partition with { Secondaries = [.. partition.Secondaries, .. partition.LearnerNodes], Learners = [] };

        // Each step removes a copy or makes the most loaded copy's node a secondary (and the next step removes it), so
        // twice the member count bounds the loop.
        for (var step = 0; step < 2 * projected.ServingCount && ChooseTrim(appId, projected, load, _ => true) is { } trim; step++)
        {
            if (trim.NewPrimary is { } next)
            {
                load.AddPrimary(appId, projected.Primary!, -1);
                load.AddPrimary(appId, next, 1);
                projected = Swap(projected, next);
            }
            else
            {
                load.AddReplica(appId, trim.Victim, -1);
                projected = projected with { Secondaries = [.. projected.Secondaries.Where(s => s != trim.Victim)] };
            }
        }
    }

    /// <summary>The configuration with the primary role handed to <paramref name="secondary"/>, the old primary in its place.</summary>
    /// <param name="partition">The configuration.</param>
    /// <param name="secondary">One of its secondaries.</param>
    /// <returns>The swapped configuration (the ballot is left to the caller).</returns>
    public static PartitionConfigurationRecord Swap(PartitionConfigurationRecord partition, string secondary)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var primary = partition.Primary ?? throw new ArgumentException("The partition has no primary.", nameof(partition));
        return partition with
        {
            Primary = secondary,
            Secondaries = [.. partition.Secondaries.Select(s => s == secondary ? primary : s)],
        };
    }
}
