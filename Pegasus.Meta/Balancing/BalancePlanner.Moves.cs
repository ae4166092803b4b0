using Pegasus.Meta.State;

namespace Pegasus.Meta.Balancing;

public static partial class BalancePlanner
{
    /// <summary>Whether a partition may be moved now: settled (no move under way, every copy reported its configuration).</summary>
    private static bool IsMovable(BalancePartition partition)
    {
        var configuration = partition.Configuration;
        return partition.Synced
            && configuration.Primary is not null
            && configuration.LearnerNodes.Count == 0
            && configuration.ServingCount == configuration.MaxReplicaCount;
    }

    /// <summary>Plans role swaps in one table while some chain of them moves a primary to a node with fewer.</summary>
    private static void PlanPrimaryMoves(
        BalanceTable table, string[] alive, BalanceLoad load, HashSet<(int, int)> touched, List<BalanceMove> moves, ref int budget)
    {
        var appId = table.AppId;
        while (budget > 0)
        {
            // The swap graph: an edge from a partition's primary to each of its secondaries that may lead.
            var edges = new Dictionary<string, List<(string To, PartitionConfigurationRecord Partition)>>(StringComparer.Ordinal);
            foreach (var partition in table.Partitions)
            {
                var configuration = partition.Configuration;
                if (!IsMovable(partition) || touched.Contains((appId, configuration.PartitionIndex)))
                {
                    continue;
                }

                foreach (var secondary in configuration.Secondaries.Where(partition.CanLead.Contains))
                {
                    if (!edges.TryGetValue(configuration.Primary!, out var list))
                    {
                        edges[configuration.Primary!] = list = [];
                    }

                    list.Add((secondary, configuration));
                }
            }

            if (FindSwapChain(appId, alive, load, edges) is not { } chain)
            {
                return;
            }

            foreach (var (from, to, configuration) in chain)
            {
                moves.Add(new BalanceMove(appId, configuration.PartitionIndex, configuration.Ballot, BalanceMoveKind.Primary, from, to));
                touched.Add((appId, configuration.PartitionIndex));
            }

            // Along the chain every node in between gives one primary and takes one. The chain moves one primary, and
            // swaps end at once, so it counts as one move: a budget of one still makes progress through a chain.
            load.AddPrimary(appId, chain[0].From, -1);
            load.AddPrimary(appId, chain[^1].To, 1);
            budget--;
        }
    }

    /// <summary>
    /// The shortest chain of swaps from the node with the most primaries that has a worthwhile one to the node with the
    /// fewest it reaches; null when no node has one.
    /// </summary>
    private static List<(string From, string To, PartitionConfigurationRecord Partition)>? FindSwapChain(
        int appId,
        string[] alive,
        BalanceLoad load,
        Dictionary<string, List<(string To, PartitionConfigurationRecord Partition)>> edges)
    {
        foreach (var source in alive.OrderByDescending(node => load.Primaries(appId, node)))
        {
            // Breadth first, so each node is reached by its shortest chain; among equally loaded targets the nearest wins.
            var via = new Dictionary<string, (string From, PartitionConfigurationRecord Partition)>(StringComparer.Ordinal);
            var queue = new Queue<string>();
            queue.Enqueue(source);
            string? target = null;
            while (queue.TryDequeue(out var node))
            {
                foreach (var (to, partition) in edges.GetValueOrDefault(node) ?? [])
                {
                    if (to == source || !via.TryAdd(to, (node, partition)))
                    {
                        continue;
                    }

                    queue.Enqueue(to);
                    if (target is null || load.Primaries(appId, to).CompareTo(load.Primaries(appId, target)) < 0)
                    {
                        target = to;
                    }
                }
            }

            if (target is null || !load.Primaries(appId, source).Exceeds(load.Primaries(appId, target)))
            {
                continue;
            }

            var chain = new List<(string From, string To, PartitionConfigurationRecord Partition)>();
            for (var node = target; node != source; node = via[node].From)
            {
                chain.Add((via[node].From, node, via[node].Partition));
            }

            chain.Reverse();
            return chain;
        }

        return null;
    }

    /// <summary>Plans learners in one table while a copy can go from a more loaded node to a less loaded one.</summary>
    private static void PlanReplicaMoves(
        BalanceTable table, string[] alive, BalanceLoad load, HashSet<(int, int)> touched, List<BalanceMove> moves, ref int budget)
    {
        var appId = table.AppId;
        while (budget > 0)
        {
            ReplicaCandidate? best = null;
            foreach (var partition in table.Partitions)
            {
                var configuration = partition.Configuration;
                if (!IsMovable(partition) || touched.Contains((appId, configuration.PartitionIndex)))
                {
                    continue;
                }

                var members = configuration.Members.ToHashSet(StringComparer.Ordinal);
                foreach (var to in alive.Where(node => !members.Contains(node)))
                {
                    // Where the trim rule will take the copy from once the learner on `to` has joined.
                    var joined = configuration with { Secondaries = [.. configuration.Secondaries, to] };
                    var trim = ChooseTrim(
                        joined,
                        node => node == to ? load.Replicas(appId, node).Add(1) : load.Replicas(appId, node),
                        node => load.Primaries(appId, node),
                        _ => true);
                    if (trim is not { } step || step.Victim == to)
                    {
                        continue;
                    }

                    var (fromLoad, toLoad) = (load.Replicas(appId, step.Victim), load.Replicas(appId, to));
                    if (!fromLoad.Exceeds(toLoad))
                    {
                        continue;
                    }

                    var candidate = new ReplicaCandidate(
                        configuration, step.Victim, to, step.NewPrimary, fromLoad.Table - toLoad.Table, fromLoad.Total - toLoad.Total);
                    if (best is not { } current || candidate.IsBetterThan(current))
                    {
                        best = candidate;
                    }
                }
            }

            if (best is not { } chosen)
            {
                return;
            }

            moves.Add(new BalanceMove(appId, chosen.Partition.PartitionIndex, chosen.Partition.Ballot, BalanceMoveKind.Replica, chosen.From, chosen.To));
            touched.Add((appId, chosen.Partition.PartitionIndex));
            load.AddReplica(appId, chosen.To, 1);
            load.AddReplica(appId, chosen.From, -1);
            if (chosen.NewPrimary is { } next)
            {
                load.AddPrimary(appId, chosen.From, -1);
                load.AddPrimary(appId, next, 1);
            }

            budget--;
        }
    }

    /// <summary>A possible replica move, with the spread it narrows (table, then cluster).</summary>
    private readonly record struct ReplicaCandidate(
        PartitionConfigurationRecord Partition, string From, string To, string? NewPrimary, int TableSpread, int TotalSpread)
    {
        // The widest spread first; then a move that needs no role swap; the first found (lowest index, node order) among equals.
        public bool IsBetterThan(ReplicaCandidate other)
            => TableSpread != other.TableSpread ? TableSpread > other.TableSpread
            : TotalSpread != other.TotalSpread ? TotalSpread > other.TotalSpread
            : NewPrimary is null && other.NewPrimary is not null;
    }
}
