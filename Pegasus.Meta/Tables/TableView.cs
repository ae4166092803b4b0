using Pegasus.Meta.State;
using Pegasus.Protocol.Meta;

namespace Pegasus.Meta.Tables;

/// <summary>A table as the meta leader currently knows it.</summary>
/// <param name="Table">The table record.</param>
/// <param name="Partitions">Its partition configurations, by index.</param>
public sealed record TableView(TableRecord Table, IReadOnlyList<PartitionConfigurationRecord> Partitions);

/// <summary>One replica a replica server should serve, as told in its beacon response.</summary>
/// <param name="AppId">The table's id.</param>
/// <param name="AppName">The table's name.</param>
/// <param name="PartitionIndex">The partition.</param>
/// <param name="PartitionCount">The table's partition count.</param>
/// <param name="Role">The node's role in the configuration.</param>
/// <param name="Configuration">The partition's whole configuration (its ballot, primary, secondaries and learners).</param>
/// <param name="Envs">The table's app envs (the replica servers act on some, such as <c>default_ttl</c>); null for none.</param>
public readonly record struct NodeAssignment(
    int AppId, string AppName, int PartitionIndex, int PartitionCount, ReplicaRole Role, PartitionConfigurationRecord Configuration,
    IReadOnlyDictionary<string, string>? Envs = null)
{
    /// <summary>Gets the configuration's ballot.</summary>
    public long Ballot => Configuration.Ballot;

    /// <summary>Gets whether the node is the primary.</summary>
    public bool IsPrimary => Role == ReplicaRole.Primary;
}

/// <summary>A request to create a table.</summary>
/// <param name="Name">The table name.</param>
/// <param name="PartitionCount">The partition count, a power of two.</param>
/// <param name="ReplicaCount">The copies per partition.</param>
public readonly record struct CreateTableRequest(string? Name, int PartitionCount, int ReplicaCount);
