namespace Pegasus.Meta.State;

/// <summary>
/// The durable cluster metadata: tables, their partition configurations and the next table id.
/// Only the meta leader writes it. Every write is compare-and-set: it carries the record as it was
/// read (its <see cref="Versioned{T}.Version"/>) and fails with
/// <see cref="StoreWriteStatus.VersionConflict"/> when the stored version differs, so a deposed
/// leader can never overwrite what a newer leader wrote. A returned <see cref="StoreWriteStatus.Ok"/>
/// means the write is durable.
/// </summary>
/// <remarks>
/// <para>
/// The methods map one-to-one onto ZooKeeper operations (each write is one <c>multi</c>, versions are
/// znode data versions). Layout under the cluster root <c>/pegasus/&lt;cluster&gt;</c>:
/// </para>
/// <code>
/// /pegasus/&lt;cluster&gt;/next_app_id              {"nextAppId":3}  the id the next table gets (starts at 1)
/// /pegasus/&lt;cluster&gt;/apps/&lt;appId&gt;              TableRecord json (name, counts, status, envs, times)
/// /pegasus/&lt;cluster&gt;/apps/&lt;appId&gt;/&lt;index&gt;      PartitionConfigurationRecord json (ballot, primary, secondaries)
/// /pegasus/&lt;cluster&gt;/names/&lt;name&gt;             {"appId":2}  present only while the table is available
/// </code>
/// <para>
/// Tables are keyed by id, as in Apache Pegasus (<c>/apps/&lt;app_id&gt;</c>), because a dropped
/// table keeps its id (replica servers are told to delete its data by id) while its name becomes
/// free for a new table; <c>names/&lt;name&gt;</c> makes name uniqueness a ZooKeeper guarantee.
/// </para>
/// <list type="bullet">
/// <item><see cref="CreateTableAsync"/>: <c>multi(setData(next_app_id, version), create(names/&lt;name&gt;), create(apps/&lt;id&gt;), create(apps/&lt;id&gt;/&lt;i&gt;)…)</c>; NodeExists on the name → <see cref="StoreWriteStatus.NameTaken"/>.</item>
/// <item><see cref="DropTableAsync"/>: <c>multi(setData(apps/&lt;id&gt;, version), delete(names/&lt;name&gt;))</c>.</item>
/// <item><see cref="UpdateTableEnvsAsync"/>: <c>setData(apps/&lt;id&gt;, version)</c>.</item>
/// <item><see cref="UpdatePartitionAsync"/>: <c>setData(apps/&lt;id&gt;/&lt;i&gt;, version)</c>.</item>
/// </list>
/// <para>
/// The leader lock lives beside this state (<c>/pegasus/&lt;cluster&gt;/leader</c>, see
/// <see cref="Leadership.ZooKeeper.ZooKeeperLeadership"/>) and is not this interface's business, except
/// that <see cref="ZooKeeper.ZooKeeperMetaStateStore"/> starts every write's <c>multi</c> with a check of
/// the leader's own election node (fencing), and stores the table names <c>.</c> and <c>..</c> as
/// <c>%2E</c> and <c>%2E%2E</c> (not valid znode names).
/// </para>
/// </remarks>
public interface IMetaStateStore
{
    /// <summary>
    /// Reads the whole state, creating an empty one (next app id 1, no tables) on first use.
    /// A meta server calls this when it becomes leader.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Every table (available and dropped) with its partitions, and the next app id.</returns>
    Task<MetaStateSnapshot> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates a table and all its partitions, and advances the next app id, atomically.
    /// </summary>
    /// <param name="nextAppId">The next-app-id counter as read; <paramref name="table"/>'s id must equal its value.</param>
    /// <param name="table">The new table (status <see cref="TableStatus.Available"/>).</param>
    /// <param name="partitions">Its partitions, indexes 0..<see cref="TableRecord.PartitionCount"/> - 1 in order.</param>
    /// <param name="cancellationToken">Cancels the write; it is then either fully applied or not at all.</param>
    /// <returns>Ok with the stored table; <see cref="StoreWriteStatus.VersionConflict"/> when the counter moved;
    /// <see cref="StoreWriteStatus.NameTaken"/> when an available table has that name.</returns>
    /// <exception cref="ArgumentException">The table's id is not the counter's value, or the partitions do not match the table.</exception>
    Task<StoreWriteResult<CreatedTable>> CreateTableAsync(
        Versioned<int> nextAppId,
        TableRecord table,
        IReadOnlyList<PartitionConfigurationRecord> partitions,
        CancellationToken cancellationToken);

    /// <summary>Marks a table dropped (keeping its id and partitions) and frees its name, atomically.</summary>
    /// <param name="table">The table as read.</param>
    /// <param name="droppedAt">When it was dropped.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Ok with the dropped record; <see cref="StoreWriteStatus.NotFound"/> for an unknown id;
    /// <see cref="StoreWriteStatus.VersionConflict"/> when the table changed since it was read
    /// (including being dropped already).</returns>
    Task<StoreWriteResult<Versioned<TableRecord>>> DropTableAsync(
        Versioned<TableRecord> table,
        DateTimeOffset droppedAt,
        CancellationToken cancellationToken);

    /// <summary>Replaces a table's envs.</summary>
    /// <param name="table">The table as read.</param>
    /// <param name="envs">The new envs (the whole set).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Ok with the updated record; <see cref="StoreWriteStatus.NotFound"/> or <see cref="StoreWriteStatus.VersionConflict"/>.</returns>
    Task<StoreWriteResult<Versioned<TableRecord>>> UpdateTableEnvsAsync(
        Versioned<TableRecord> table,
        IReadOnlyDictionary<string, string> envs,
        CancellationToken cancellationToken);

    /// <summary>Replaces one partition's configuration; the ballot must go up.</summary>
    /// <param name="appId">The partition's table.</param>
    /// <param name="current">The partition configuration as read.</param>
    /// <param name="updated">The new configuration: same index, higher ballot.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Ok with the stored configuration; <see cref="StoreWriteStatus.StaleBallot"/> when the ballot does not
    /// go up; <see cref="StoreWriteStatus.NotFound"/>; <see cref="StoreWriteStatus.VersionConflict"/>.</returns>
    Task<StoreWriteResult<Versioned<PartitionConfigurationRecord>>> UpdatePartitionAsync(
        int appId,
        Versioned<PartitionConfigurationRecord> current,
        PartitionConfigurationRecord updated,
        CancellationToken cancellationToken);
}
