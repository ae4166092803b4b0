namespace Pegasus.Meta.State;

/// <summary>A value as read from the state store with the version it was read at (a znode's data version).</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Value">The record.</param>
/// <param name="Version">Its version: 0 when created, incremented by every write; writes carry it back for compare-and-set.</param>
public readonly record struct Versioned<T>(T Value, int Version);

/// <summary>A table's durable description.</summary>
/// <param name="AppId">The table's id, unique for the cluster's lifetime (never reused, even after a drop).</param>
/// <param name="Name">The table's name; unique among tables that are not dropped.</param>
/// <param name="PartitionCount">The number of partitions, a power of two fixed at creation.</param>
/// <param name="ReplicaCount">The number of copies each partition should have.</param>
/// <param name="Status">Available or dropped.</param>
/// <param name="Envs">Table-level settings (Pegasus "app envs").</param>
/// <param name="CreatedAt">When the table was created.</param>
/// <param name="DroppedAt">When the table was dropped; null while available.</param>
public sealed record TableRecord(
    int AppId,
    string Name,
    int PartitionCount,
    int ReplicaCount,
    TableStatus Status,
    IReadOnlyDictionary<string, string> Envs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DroppedAt = null);

/// <summary>One partition's configuration; only the meta leader changes it, always raising the ballot.</summary>
/// <param name="PartitionIndex">The partition's index, 0..partition count - 1.</param>
/// <param name="Ballot">The configuration's ballot, starting at 1.</param>
/// <param name="Primary">The primary's data address (<c>http://host:port</c>), or null when there is none.</param>
/// <param name="Secondaries">The secondaries' data addresses.</param>
/// <param name="MaxReplicaCount">How many copies the partition should have (the table's replica count).</param>
/// <param name="Learners">Replicas catching up from the primary before they join as secondaries; null
/// (as in state written before learners existed) means none.</param>
public sealed record PartitionConfigurationRecord(
    int PartitionIndex,
    long Ballot,
    string? Primary,
    IReadOnlyList<string> Secondaries,
    int MaxReplicaCount,
    IReadOnlyList<string>? Learners = null)
{
    /// <summary>Gets the learners, empty when there are none.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> LearnerNodes => Learners ?? [];

    /// <summary>Gets every node that holds a replica in this configuration: primary, secondaries, learners.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> Members =>
        (Primary is null ? Secondaries : Secondaries.Prepend(Primary)).Concat(LearnerNodes);

    /// <summary>Gets the number of copies that count for writes: the primary and its secondaries.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int ServingCount => (Primary is null ? 0 : 1) + Secondaries.Count;
}

/// <summary>A table with its partitions, each with the version it was read at.</summary>
/// <param name="Table">The table record.</param>
/// <param name="Partitions">Its partition configurations, ordered by partition index.</param>
public sealed record StoredTable(
    Versioned<TableRecord> Table,
    IReadOnlyList<Versioned<PartitionConfigurationRecord>> Partitions);

/// <summary>Everything the state store holds, as loaded when a meta server takes leadership.</summary>
/// <param name="NextAppId">The id the next created table gets (starts at 1).</param>
/// <param name="Tables">Every table, available and dropped, ordered by app id.</param>
public sealed record MetaStateSnapshot(Versioned<int> NextAppId, IReadOnlyList<StoredTable> Tables);
