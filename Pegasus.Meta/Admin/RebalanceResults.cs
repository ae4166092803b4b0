using Pegasus.Meta.Balancing;
using Pegasus.Meta.State;

namespace Pegasus.Meta.Admin;

/// <summary>Turns rebalancer results into admin API contracts.</summary>
internal static class RebalanceResults
{
    public static RebalancePlanInfo ToPlanInfo(RebalanceSnapshot snapshot, bool autoRebalance)
    {
        var plan = snapshot.Plan;
        var alive = snapshot.AliveNodes.ToHashSet(StringComparer.Ordinal);
        var all = snapshot.Tables.SelectMany(t => t.Partitions).Select(p => p.Configuration).ToList();
        return new RebalancePlanInfo(
            plan.IsBalanced,
            autoRebalance,
            plan.Blocked,
            plan.InFlight,
            [.. plan.Moves.Select(move => ToMoveInfo(snapshot, move))],
            Count(all, alive),
            [.. snapshot.Tables.Select(t => new TableBalanceInfo(t.Name, t.AppId, Count([.. t.Partitions.Select(p => p.Configuration)], alive)))]);
    }

    public static RebalanceRunInfo ToRunInfo(RebalanceRound round)
        => new(
            round.Snapshot.Plan.Moves.Count,
            [.. round.Started.Select(move => ToMoveInfo(round.Snapshot, move))],
            round.Snapshot.Plan.Blocked,
            round.Snapshot.Plan.InFlight);

    private static RebalanceMoveInfo ToMoveInfo(RebalanceSnapshot snapshot, BalanceMove move)
        => new(
            snapshot.Tables.FirstOrDefault(t => t.AppId == move.AppId)?.Name ?? string.Empty,
            move.AppId,
            move.PartitionIndex,
            move.Kind.ToString(),
            move.From,
            move.To,
            move.Ballot);

    /// <summary>Per node (every alive one and every one named by a configuration), what it leads, serves and learns.</summary>
    private static List<NodeBalanceInfo> Count(IReadOnlyList<PartitionConfigurationRecord> partitions, HashSet<string> alive)
    {
        var counts = alive.ToDictionary(node => node, _ => (Primaries: 0, Replicas: 0, Learners: 0), StringComparer.Ordinal);
        foreach (var partition in partitions)
        {
            if (partition.Primary is { } primary)
            {
                var c = counts.GetValueOrDefault(primary);
                counts[primary] = (c.Primaries + 1, c.Replicas + 1, c.Learners);
            }

            foreach (var secondary in partition.Secondaries)
            {
                var c = counts.GetValueOrDefault(secondary);
                counts[secondary] = (c.Primaries, c.Replicas + 1, c.Learners);
            }

            foreach (var learner in partition.LearnerNodes)
            {
                var c = counts.GetValueOrDefault(learner);
                counts[learner] = (c.Primaries, c.Replicas, c.Learners + 1);
            }
        }

        return [.. counts
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => new NodeBalanceInfo(pair.Key, alive.Contains(pair.Key), pair.Value.Primaries, pair.Value.Replicas, pair.Value.Learners))];
    }
}
