using System.Collections.Frozen;
using Pegasus.Meta.State;
using Pegasus.Protocol.Meta;

namespace Pegasus.Meta.Tables;

/// <summary>
/// An immutable picture of the cluster state with the indexes readers need (by name, by node).
/// Writers build a new one and publish it; readers (routing queries, beacons) never lock.
/// </summary>
internal sealed class ClusterView
{
    public ClusterView(Versioned<int> nextAppId, IEnumerable<StoredTable> tables)
    {
        NextAppId = nextAppId;
        ById = tables.ToFrozenDictionary(t => t.Table.Value.AppId);
        Available = ById.Values
            .Where(t => t.Table.Value.Status == TableStatus.Available)
            .ToFrozenDictionary(t => t.Table.Value.Name, StringComparer.Ordinal);
        DroppedAppIds = [.. ById.Values.Where(t => t.Table.Value.Status == TableStatus.Dropped).Select(t => t.Table.Value.AppId).Order()];

        var byNode = new Dictionary<string, List<NodeAssignment>>(StringComparer.Ordinal);
        foreach (var stored in Available.Values.OrderBy(t => t.Table.Value.AppId))
        {
            var table = stored.Table.Value;
            foreach (var (partition, _) in stored.Partitions)
            {
                if (partition.Primary is { } primary)
                {
                    Add(byNode, primary, new NodeAssignment(table.AppId, table.Name, partition.PartitionIndex, table.PartitionCount, ReplicaRole.Primary, partition, table.Envs));
                }

                foreach (var secondary in partition.Secondaries)
                {
                    Add(byNode, secondary, new NodeAssignment(table.AppId, table.Name, partition.PartitionIndex, table.PartitionCount, ReplicaRole.Secondary, partition, table.Envs));
                }

                foreach (var learner in partition.LearnerNodes)
                {
                    Add(byNode, learner, new NodeAssignment(table.AppId, table.Name, partition.PartitionIndex, table.PartitionCount, ReplicaRole.Learner, partition, table.Envs));
                }
            }
        }

        AssignmentsByNode = byNode.ToFrozenDictionary(pair => pair.Key, pair => (IReadOnlyList<NodeAssignment>)pair.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Gets the leadership term the view was loaded in: once it is cancelled the view may be stale (another
    /// leader may have written in between), so it is not served.
    /// </summary>
    public CancellationToken Term { get; init; }

    /// <summary>Gets the next-app-id counter as stored.</summary>
    public Versioned<int> NextAppId { get; }

    /// <summary>Gets every table, available and dropped, by id.</summary>
    public FrozenDictionary<int, StoredTable> ById { get; }

    /// <summary>Gets the available tables by name.</summary>
    public FrozenDictionary<string, StoredTable> Available { get; }

    /// <summary>Gets the ids of dropped tables, ascending.</summary>
    public IReadOnlyList<int> DroppedAppIds { get; }

    /// <summary>Gets, per node address, the replicas of available tables it is configured to serve.</summary>
    public FrozenDictionary<string, IReadOnlyList<NodeAssignment>> AssignmentsByNode { get; }

    /// <summary>A view with one table added or replaced.</summary>
    public ClusterView With(StoredTable table, Versioned<int>? nextAppId = null)
    {
        var tables = ById.ToDictionary();
        tables[table.Table.Value.AppId] = table;
        return new ClusterView(nextAppId ?? NextAppId, tables.Values) { Term = Term };
    }

    /// <summary>A view with one partition's configuration replaced.</summary>
    public ClusterView WithPartition(int appId, Versioned<PartitionConfigurationRecord> partition)
    {
        var stored = ById[appId];
        var partitions = stored.Partitions.ToArray();
        partitions[partition.Value.PartitionIndex] = partition;
        return With(stored with { Partitions = partitions });
    }

    public static TableView ToTableView(StoredTable stored)
        => new(stored.Table.Value, [.. stored.Partitions.Select(p => p.Value)]);

    private static void Add(Dictionary<string, List<NodeAssignment>> byNode, string node, NodeAssignment assignment)
    {
        if (!byNode.TryGetValue(node, out var list))
        {
            list = [];
            byNode[node] = list;
        }

        list.Add(assignment);
    }
}
