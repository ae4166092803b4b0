using Pegasus.Meta.State;

namespace Pegasus.Meta.Balancing;

/// <summary>A node's count of something (replicas or primaries) in one table and in the whole cluster.</summary>
/// <param name="Table">The count in the table.</param>
/// <param name="Total">The count over every available table.</param>
public readonly record struct NodeLoad(int Table, int Total) : IComparable<NodeLoad>
{
    /// <summary>Orders by the table's count, then by the cluster's.</summary>
    /// <param name="other">The load to compare with.</param>
    /// <returns>Negative, zero or positive, as for <see cref="IComparable{T}"/>.</returns>
    public int CompareTo(NodeLoad other) => Table != other.Table ? Table.CompareTo(other.Table) : Total.CompareTo(other.Total);

    /// <summary>
    /// Whether moving one unit from a node with this load to a node with <paramref name="other"/> narrows the spread:
    /// the table's counts differ by two or more, or by exactly one (the move swaps them, so the table stays as even)
    /// while the cluster's differ by two or more. Every such move lowers the sum of squares of the table's counts, or
    /// keeps it and lowers the cluster's, so a sequence of them ends.
    /// </summary>
    /// <param name="other">The receiving node's load.</param>
    /// <returns>True when the move is worth making.</returns>
    public bool Exceeds(NodeLoad other)
        => Table - other.Table >= 2 || (Table - other.Table == 1 && Total - other.Total >= 2);

    /// <summary>Adds to both counts.</summary>
    /// <param name="delta">How much.</param>
    /// <returns>The changed load.</returns>
    public NodeLoad Add(int delta) => new(Table + delta, Total + delta);
}

/// <summary>
/// Replica and primary counts per node, per table and cluster-wide. Replicas are every configured copy (primary,
/// secondaries and learners). The planner's simulation changes them move by move; the guardian's trim rule reads them.
/// </summary>
public sealed class BalanceLoad
{
    private readonly Dictionary<(int AppId, string Node), int> _replicas = [];
    private readonly Dictionary<(int AppId, string Node), int> _primaries = [];
    private readonly Dictionary<string, int> _totalReplicas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _totalPrimaries = new(StringComparer.Ordinal);

    /// <summary>Counts the members of every given partition.</summary>
    /// <param name="partitions">Each partition with its table's app id.</param>
    /// <returns>The counts.</returns>
    public static BalanceLoad Of(IEnumerable<(int AppId, PartitionConfigurationRecord Configuration)> partitions)
    {
        var load = new BalanceLoad();
        foreach (var (appId, configuration) in partitions)
        {
            foreach (var member in configuration.Members)
            {
                load.AddReplica(appId, member, 1);
            }

            if (configuration.Primary is { } primary)
            {
                load.AddPrimary(appId, primary, 1);
            }
        }

        return load;
    }

    /// <summary>Gets a node's replica counts.</summary>
    /// <param name="appId">The table.</param>
    /// <param name="node">The node.</param>
    /// <returns>Its replicas of the table and of every table.</returns>
    public NodeLoad Replicas(int appId, string node)
        => new(_replicas.GetValueOrDefault((appId, node)), _totalReplicas.GetValueOrDefault(node));

    /// <summary>Gets a node's primary counts.</summary>
    /// <param name="appId">The table.</param>
    /// <param name="node">The node.</param>
    /// <returns>Its primaries of the table and of every table.</returns>
    public NodeLoad Primaries(int appId, string node)
        => new(_primaries.GetValueOrDefault((appId, node)), _totalPrimaries.GetValueOrDefault(node));

    /// <summary>Changes a node's replica count.</summary>
    /// <param name="appId">The table.</param>
    /// <param name="node">The node.</param>
    /// <param name="delta">By how much.</param>
    public void AddReplica(int appId, string node, int delta)
    {
        _replicas[(appId, node)] = _replicas.GetValueOrDefault((appId, node)) + delta;
        _totalReplicas[node] = _totalReplicas.GetValueOrDefault(node) + delta;
    }

    /// <summary>Changes a node's primary count.</summary>
    /// <param name="appId">The table.</param>
    /// <param name="node">The node.</param>
    /// <param name="delta">By how much.</param>
    public void AddPrimary(int appId, string node, int delta)
    {
        _primaries[(appId, node)] = _primaries.GetValueOrDefault((appId, node)) + delta;
        _totalPrimaries[node] = _totalPrimaries.GetValueOrDefault(node) + delta;
    }
}
