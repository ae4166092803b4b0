namespace Pegasus.Meta.Tables;

/// <summary>Chooses where new partitions go.</summary>
public static class PartitionPlacement
{
    /// <summary>
    /// Picks a primary for each of <paramref name="partitionCount"/> new partitions: always the
    /// node with the fewest replicas so far (counting those just placed), ties broken by address,
    /// which makes an even cluster a round-robin.
    /// </summary>
    /// <param name="partitionCount">How many partitions to place.</param>
    /// <param name="candidates">The alive nodes; at least one.</param>
    /// <param name="currentLoad">Replicas each node already serves (absent = none).</param>
    /// <returns>The primary of each partition, by index.</returns>
    public static string[] AssignPrimaries(int partitionCount, IReadOnlyList<string> candidates, IReadOnlyDictionary<string, int> currentLoad)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partitionCount);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("At least one candidate node is needed.", nameof(candidates));
        }

        var queue = new PriorityQueue<string, (int Load, string Address)>(
            Comparer<(int Load, string Address)>.Create((a, b) =>
                a.Load != b.Load ? a.Load.CompareTo(b.Load) : string.CompareOrdinal(a.Address, b.Address)));
        foreach (var node in candidates.Distinct(StringComparer.Ordinal))
        {
            queue.Enqueue(node, (currentLoad.GetValueOrDefault(node), node));
        }

        var primaries = new string[partitionCount];
        for (var i = 0; i < partitionCount; i++)
        {
            queue.TryDequeue(out var node, out var priority);
            primaries[i] = node!;
            queue.Enqueue(node!, (priority.Load + 1, node!));
        }

        return primaries;
    }

    /// <summary>
    /// Picks the replicas of each new partition: up to <paramref name="replicaCount"/> distinct nodes, primary first,
    /// each time the least-loaded nodes (counting replicas just placed, primaries weighing the same as secondaries;
    /// ties go to the node with fewer of this table's primaries), so copies and primaries both spread evenly.
    /// </summary>
    /// <param name="partitionCount">How many partitions to place.</param>
    /// <param name="replicaCount">Copies per partition.</param>
    /// <param name="candidates">The alive nodes; at least one.</param>
    /// <param name="currentLoad">Replicas each node already serves (absent = none).</param>
    /// <returns>Per partition index, its nodes with the primary first.</returns>
    public static string[][] AssignReplicas(int partitionCount, int replicaCount, IReadOnlyList<string> candidates, IReadOnlyDictionary<string, int> currentLoad)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partitionCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicaCount, 1);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("At least one candidate node is needed.", nameof(candidates));
        }

        var nodes = candidates.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var load = nodes.ToDictionary(n => n, n => currentLoad.GetValueOrDefault(n), StringComparer.Ordinal);
        var primaryLoad = nodes.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        var copies = Math.Min(replicaCount, nodes.Length);
        var result = new string[partitionCount][];
        for (var i = 0; i < partitionCount; i++)
        {
            // The primary: the least loaded, a primary of this table counting as one more copy per secondary it leads
            // (placing a partition raises every chosen node's load alike, so load alone would keep picking one primary);
            // the rest: fewest replicas.
            var primary = nodes.OrderBy(n => load[n] + (primaryLoad[n] * (copies - 1))).ThenBy(n => primaryLoad[n]).ThenBy(n => n, StringComparer.Ordinal).First();
            var chosen = new List<string>(copies) { primary };
            chosen.AddRange(nodes.Where(n => n != primary).OrderBy(n => load[n]).ThenBy(n => n, StringComparer.Ordinal).Take(copies - 1));
            foreach (var node in chosen)
            {
                load[node]++;
            }

            primaryLoad[primary]++;
            result[i] = [.. chosen];
        }

        return result;
    }
}
