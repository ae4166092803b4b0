using Pegasus.Meta.State;

namespace Pegasus.Tests.Meta;

/// <summary>
/// The behaviour every <see cref="IMetaStateStore"/> must have. A store's test class derives from
/// this and says how to create a fresh, empty store and how to reopen the same durable state (a
/// restart); every test here then runs against it.
/// </summary>
public abstract class MetaStateStoreConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Created = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Gets the store under test.</summary>
    protected IMetaStateStore Store { get; set; } = null!;

    /// <summary>Gets the test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <inheritdoc/>
    public async ValueTask InitializeAsync() => Store = await CreateStoreAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await ReleaseStoreAsync(Store);
        await CleanUpAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates a store over fresh, empty state owned by this test.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IMetaStateStore> CreateStoreAsync();

    /// <summary>Creates a new store instance over the same durable state as <see cref="CreateStoreAsync"/>'s (the previous instance is released first).</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IMetaStateStore> OpenSameStateAsync();

    /// <summary>Deletes the test's state (temp directories, znodes).</summary>
    /// <returns>A task.</returns>
    protected abstract Task CleanUpAsync();

    /// <summary>Releases a store instance (closes files or sessions).</summary>
    /// <param name="store">The store.</param>
    /// <returns>A task.</returns>
    protected virtual async Task ReleaseStoreAsync(IMetaStateStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    [Fact]
    public async Task Load_EmptyState_StartsAtAppIdOneWithNoTables()
    {
        var snapshot = await Store.LoadAsync(Ct);

        Assert.Equal(1, snapshot.NextAppId.Value);
        Assert.Empty(snapshot.Tables);
    }

    [Fact]
    public async Task CreateTable_StoresTablePartitionsAndAdvancesAppId()
    {
        var snapshot = await Store.LoadAsync(Ct);

        var result = await CreateAsync(snapshot.NextAppId, "t1", partitionCount: 4);

        Assert.Equal(StoreWriteStatus.Ok, result.Status);
        var created = result.Value!;
        Assert.Equal(2, created.NextAppId.Value);
        Assert.NotEqual(snapshot.NextAppId.Version, created.NextAppId.Version);
        Assert.Equal(1, created.Table.Table.Value.AppId);
        Assert.Equal(4, created.Table.Partitions.Count);
        var reloaded = await Store.LoadAsync(Ct);
        Assert.Equal(created.NextAppId, reloaded.NextAppId);
        var table = Assert.Single(reloaded.Tables);
        AssertSameTable(created.Table, table);
    }

    [Fact]
    public async Task CreateTable_StaleAppIdCounter_ConflictsAndWritesNothing()
    {
        var snapshot = await Store.LoadAsync(Ct);
        Assert.True((await CreateAsync(snapshot.NextAppId, "first")).IsOk);

        // A deposed leader still holding the old counter must not overwrite the newer state.
        var stale = new Versioned<int>(snapshot.NextAppId.Value, snapshot.NextAppId.Version);
        var result = await Store.CreateTableAsync(stale, Table(stale.Value, "second"), Partitions(2), Ct);

        Assert.Equal(StoreWriteStatus.VersionConflict, result.Status);
        var reloaded = await Store.LoadAsync(Ct);
        Assert.Equal("first", Assert.Single(reloaded.Tables).Table.Value.Name);
        Assert.Equal(2, reloaded.NextAppId.Value);
    }

    [Fact]
    public async Task CreateTable_NameOfAvailableTable_IsNameTakenAndWritesNothing()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var first = await CreateAsync(snapshot.NextAppId, "dup");

        var second = await CreateAsync(first.Value!.NextAppId, "dup");

        Assert.Equal(StoreWriteStatus.NameTaken, second.Status);
        var reloaded = await Store.LoadAsync(Ct);
        Assert.Single(reloaded.Tables);
        Assert.Equal(first.Value.NextAppId, reloaded.NextAppId);
    }

    [Fact]
    public async Task CreateTable_IdOtherThanCounter_Throws()
    {
        var snapshot = await Store.LoadAsync(Ct);

        await Assert.ThrowsAsync<ArgumentException>(
            () => Store.CreateTableAsync(snapshot.NextAppId, Table(snapshot.NextAppId.Value + 5, "t"), Partitions(2), Ct));
    }

    [Fact]
    public async Task DropTable_MarksDroppedKeepsIdAndPartitionsAndFreesName()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var created = (await CreateAsync(snapshot.NextAppId, "gone", partitionCount: 2)).Value!;
        var droppedAt = Created.AddHours(1);

        var dropped = await Store.DropTableAsync(created.Table.Table, droppedAt, Ct);

        Assert.Equal(StoreWriteStatus.Ok, dropped.Status);
        Assert.Equal(TableStatus.Dropped, dropped.Value.Value.Status);
        Assert.Equal(droppedAt, dropped.Value.Value.DroppedAt);
        Assert.NotEqual(created.Table.Table.Version, dropped.Value.Version);
        var reloaded = await Store.LoadAsync(Ct);
        var table = Assert.Single(reloaded.Tables);
        Assert.Equal(TableStatus.Dropped, table.Table.Value.Status);
        Assert.Equal(2, table.Partitions.Count);

        // The name is free again; the new table gets a new id.
        var again = await CreateAsync(reloaded.NextAppId, "gone");
        Assert.Equal(StoreWriteStatus.Ok, again.Status);
        Assert.Equal(2, again.Value!.Table.Table.Value.AppId);
    }

    [Fact]
    public async Task DropTable_TwiceFromTheSameRead_SecondConflicts()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var created = (await CreateAsync(snapshot.NextAppId, "t")).Value!;
        Assert.True((await Store.DropTableAsync(created.Table.Table, Created, Ct)).IsOk);

        var second = await Store.DropTableAsync(created.Table.Table, Created, Ct);

        Assert.Equal(StoreWriteStatus.VersionConflict, second.Status);
    }

    [Fact]
    public async Task DropTable_UnknownId_IsNotFound()
    {
        var result = await Store.DropTableAsync(new Versioned<TableRecord>(Table(42, "ghost"), 0), Created, Ct);

        Assert.Equal(StoreWriteStatus.NotFound, result.Status);
    }

    [Fact]
    public async Task UpdateTableEnvs_ReplacesEnvs_StaleVersionConflicts()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var created = (await CreateAsync(snapshot.NextAppId, "t")).Value!;

        var updated = await Store.UpdateTableEnvsAsync(created.Table.Table, new Dictionary<string, string> { ["ttl"] = "3600" }, Ct);
        var stale = await Store.UpdateTableEnvsAsync(created.Table.Table, new Dictionary<string, string> { ["ttl"] = "1" }, Ct);

        Assert.Equal(StoreWriteStatus.Ok, updated.Status);
        Assert.Equal(StoreWriteStatus.VersionConflict, stale.Status);
        var table = Assert.Single((await Store.LoadAsync(Ct)).Tables).Table;
        Assert.Equal("3600", table.Value.Envs["ttl"]);
        Assert.Equal(updated.Value.Version, table.Version);
    }

    [Fact]
    public async Task UpdatePartition_HigherBallot_IsStoredWithNewVersion()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var created = (await CreateAsync(snapshot.NextAppId, "t", partitionCount: 2)).Value!;
        var current = created.Table.Partitions[1];
        var next = current.Value with { Ballot = 2, Primary = "http://127.0.0.1:9002", Secondaries = ["http://127.0.0.1:9003"] };

        var result = await Store.UpdatePartitionAsync(1, current, next, Ct);

        Assert.Equal(StoreWriteStatus.Ok, result.Status);
        Assert.NotEqual(current.Version, result.Value.Version);
        var stored = Assert.Single((await Store.LoadAsync(Ct)).Tables).Partitions[1];
        Assert.Equal(2, stored.Value.Ballot);
        Assert.Equal("http://127.0.0.1:9002", stored.Value.Primary);
        Assert.Equal(["http://127.0.0.1:9003"], stored.Value.Secondaries);
        Assert.Equal(result.Value.Version, stored.Version);
    }

    [Fact]
    public async Task UpdatePartition_BallotNotRaised_IsStaleBallot()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var current = (await CreateAsync(snapshot.NextAppId, "t")).Value!.Table.Partitions[0];

        var result = await Store.UpdatePartitionAsync(1, current, current.Value with { Primary = "http://other:1" }, Ct);

        Assert.Equal(StoreWriteStatus.StaleBallot, result.Status);
        Assert.Equal(current, Assert.Single((await Store.LoadAsync(Ct)).Tables).Partitions[0], VersionedPartitionComparer.Instance);
    }

    [Fact]
    public async Task UpdatePartition_StaleVersion_Conflicts()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var current = (await CreateAsync(snapshot.NextAppId, "t")).Value!.Table.Partitions[0];
        Assert.True((await Store.UpdatePartitionAsync(1, current, current.Value with { Ballot = 2 }, Ct)).IsOk);

        // A second writer that read ballot 1 loses, even with a higher ballot of its own.
        var result = await Store.UpdatePartitionAsync(1, current, current.Value with { Ballot = 3 }, Ct);

        Assert.Equal(StoreWriteStatus.VersionConflict, result.Status);
        Assert.Equal(2, Assert.Single((await Store.LoadAsync(Ct)).Tables).Partitions[0].Value.Ballot);
    }

    [Fact]
    public async Task UpdatePartition_UnknownTableOrIndex_IsNotFound()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var current = (await CreateAsync(snapshot.NextAppId, "t", partitionCount: 2)).Value!.Table.Partitions[0];

        var unknownTable = await Store.UpdatePartitionAsync(99, current, current.Value with { Ballot = 2 }, Ct);
        var outOfRange = new Versioned<PartitionConfigurationRecord>(current.Value with { PartitionIndex = 7 }, current.Version);
        var unknownIndex = await Store.UpdatePartitionAsync(1, outOfRange, outOfRange.Value with { Ballot = 2 }, Ct);

        Assert.Equal(StoreWriteStatus.NotFound, unknownTable.Status);
        Assert.Equal(StoreWriteStatus.NotFound, unknownIndex.Status);
    }

    [Fact]
    public async Task Reopen_SeesEveryAcknowledgedWriteWithItsVersion()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var a = (await CreateAsync(snapshot.NextAppId, "a", partitionCount: 2)).Value!;
        var b = (await CreateAsync(a.NextAppId, "b", partitionCount: 1)).Value!;
        Assert.True((await Store.DropTableAsync(a.Table.Table, Created, Ct)).IsOk);
        Assert.True((await Store.UpdatePartitionAsync(2, b.Table.Partitions[0], b.Table.Partitions[0].Value with { Ballot = 5 }, Ct)).IsOk);
        var before = await Store.LoadAsync(Ct);

        await ReleaseStoreAsync(Store);
        Store = await OpenSameStateAsync();
        var after = await Store.LoadAsync(Ct);

        Assert.Equal(before.NextAppId, after.NextAppId);
        Assert.Equal(before.Tables.Count, after.Tables.Count);
        foreach (var (expected, actual) in before.Tables.Zip(after.Tables))
        {
            AssertSameTable(expected, actual);
        }

        // Writes continue from the reopened versions.
        var c = await CreateAsync(after.NextAppId, "a");
        Assert.Equal(StoreWriteStatus.Ok, c.Status);
        Assert.Equal(3, c.Value!.Table.Table.Value.AppId);
    }

    private static void AssertSameTable(StoredTable expected, StoredTable actual)
    {
        Assert.Equal(expected.Table.Version, actual.Table.Version);
        var (e, a) = (expected.Table.Value, actual.Table.Value);
        Assert.Equal((e.AppId, e.Name, e.PartitionCount, e.ReplicaCount, e.Status, e.CreatedAt, e.DroppedAt), (a.AppId, a.Name, a.PartitionCount, a.ReplicaCount, a.Status, a.CreatedAt, a.DroppedAt));
        Assert.Equal(e.Envs.OrderBy(p => p.Key), a.Envs.OrderBy(p => p.Key));
        Assert.Equal(expected.Partitions, actual.Partitions, VersionedPartitionComparer.Instance);
    }

    private Task<StoreWriteResult<CreatedTable>> CreateAsync(Versioned<int> nextAppId, string name, int partitionCount = 2)
        => Store.CreateTableAsync(nextAppId, Table(nextAppId.Value, name, partitionCount), Partitions(partitionCount), Ct);

    private static TableRecord Table(int appId, string name, int partitionCount = 2)
        => new(appId, name, partitionCount, ReplicaCount: 3, TableStatus.Available, new Dictionary<string, string>(), Created);

    private static PartitionConfigurationRecord[] Partitions(int count)
        => [.. Enumerable.Range(0, count).Select(i => new PartitionConfigurationRecord(i, 1, $"http://127.0.0.1:{9000 + i}", [], 3))];

    /// <summary>Compares partition configurations by value (their secondaries are lists).</summary>
    private sealed class VersionedPartitionComparer : IEqualityComparer<Versioned<PartitionConfigurationRecord>>
    {
        public static VersionedPartitionComparer Instance { get; } = new();

        public bool Equals(Versioned<PartitionConfigurationRecord> x, Versioned<PartitionConfigurationRecord> y)
            => x.Version == y.Version
                && (x.Value.PartitionIndex, x.Value.Ballot, x.Value.Primary, x.Value.MaxReplicaCount) == (y.Value.PartitionIndex, y.Value.Ballot, y.Value.Primary, y.Value.MaxReplicaCount)
                && x.Value.Secondaries.SequenceEqual(y.Value.Secondaries);

        public int GetHashCode(Versioned<PartitionConfigurationRecord> obj) => HashCode.Combine(obj.Version, obj.Value.PartitionIndex, obj.Value.Ballot);
    }
}
