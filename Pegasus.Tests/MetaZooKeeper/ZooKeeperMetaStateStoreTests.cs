using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Pegasus.Meta.State;
using Pegasus.Meta.State.ZooKeeper;
using Pegasus.Meta.ZooKeeper;
using Pegasus.Tests.Meta;
using Pegasus.Tests.ZooKeeper;
using Pegasus.ZooKeeper;
using static Pegasus.Tests.MetaZooKeeper.MetaZooKeeperTestHelpers;

namespace Pegasus.Tests.MetaZooKeeper;

/// <summary>The conformance tests against a real ZooKeeper, plus what is particular to the ZooKeeper layout and fencing.</summary>
[Collection(MetaZooKeeperCollection.Name)]
public sealed class ZooKeeperMetaStateStoreTests(ZooKeeperStandaloneFixture fixture) : MetaStateStoreConformanceTests
{
    private static readonly DateTimeOffset Created = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _root = "/pegasus/" + UniqueClusterName("conformance");
    private readonly Dictionary<IMetaStateStore, MetaZooKeeperConnection> _connections = [];
    private string? _connectionString;

    [Fact]
    public async Task Load_CreatesTheDocumentedRootNodes()
    {
        await Store.LoadAsync(Ct);

        await using var zk = await RawClientAsync();
        Assert.Equal("""{"nextAppId":1}""", Text((await zk.GetDataAsync(_root + "/next_app_id", cancellationToken: Ct)).Data));
        Assert.Empty((await zk.GetChildrenAsync(_root + "/apps", cancellationToken: Ct)).Children);
        Assert.Empty((await zk.GetChildrenAsync(_root + "/names", cancellationToken: Ct)).Children);
    }

    [Fact]
    public async Task CreateTable_WritesTheDocumentedLayout_EscapingDotNames()
    {
        var snapshot = await Store.LoadAsync(Ct);

        var first = await Store.CreateTableAsync(snapshot.NextAppId, Table(1, "t1", 2), Partitions(2), Ct);
        var dot = await Store.CreateTableAsync(first.Value!.NextAppId, Table(2, ".", 1), Partitions(1), Ct);

        Assert.True(dot.IsOk);
        await using var zk = await RawClientAsync();
        Assert.Equal("""{"nextAppId":3}""", Text((await zk.GetDataAsync(_root + "/next_app_id", cancellationToken: Ct)).Data));
        Assert.Equal("""{"appId":1}""", Text((await zk.GetDataAsync(_root + "/names/t1", cancellationToken: Ct)).Data));
        Assert.Equal("""{"appId":2}""", Text((await zk.GetDataAsync(_root + "/names/%2E", cancellationToken: Ct)).Data));
        Assert.Equal(["0", "1"], (await zk.GetChildrenAsync(_root + "/apps/1", cancellationToken: Ct)).Children.Order());
        Assert.Contains("\"name\":\"t1\"", Text((await zk.GetDataAsync(_root + "/apps/1", cancellationToken: Ct)).Data), StringComparison.Ordinal);
        Assert.Contains("\"ballot\":1", Text((await zk.GetDataAsync(_root + "/apps/1/1", cancellationToken: Ct)).Data), StringComparison.Ordinal);
        Assert.Equal(".", (await Store.LoadAsync(Ct)).Tables[1].Table.Value.Name);
    }

    [Fact]
    public async Task StaleVersionWrites_AfterAnotherWriterChangedTheZnodes_AreRejectedAndWriteNothing()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var created = (await Store.CreateTableAsync(snapshot.NextAppId, Table(1, "shared", 2), Partitions(2), Ct)).Value!;

        // A second writer (another session, e.g. a newer leader) reads and changes everything.
        var newer = await OpenSameStateAsync();
        var seen = await newer.LoadAsync(Ct);
        var partition = seen.Tables[0].Partitions[0];
        Assert.True((await newer.UpdatePartitionAsync(1, partition, partition.Value with { Ballot = 7, Primary = "http://127.0.0.1:9100" }, Ct)).IsOk);
        Assert.True((await newer.UpdateTableEnvsAsync(seen.Tables[0].Table, new Dictionary<string, string> { ["k"] = "newer" }, Ct)).IsOk);
        Assert.True((await newer.CreateTableAsync(seen.NextAppId, Table(2, "by-newer", 1), Partitions(1), Ct)).IsOk);

        // The first writer still holds the versions it read before.
        var stalePartition = await Store.UpdatePartitionAsync(1, created.Table.Partitions[0], created.Table.Partitions[0].Value with { Ballot = 9 }, Ct);
        var staleEnvs = await Store.UpdateTableEnvsAsync(created.Table.Table, new Dictionary<string, string> { ["k"] = "stale" }, Ct);
        var staleDrop = await Store.DropTableAsync(created.Table.Table, Created, Ct);
        var staleCreate = await Store.CreateTableAsync(created.NextAppId, Table(2, "by-stale", 1), Partitions(1), Ct);

        Assert.Equal(
            [StoreWriteStatus.VersionConflict, StoreWriteStatus.VersionConflict, StoreWriteStatus.VersionConflict, StoreWriteStatus.VersionConflict],
            [stalePartition.Status, staleEnvs.Status, staleDrop.Status, staleCreate.Status]);
        var after = await Store.LoadAsync(Ct);
        Assert.Equal(["shared", "by-newer"], after.Tables.Select(t => t.Table.Value.Name));
        Assert.Equal(7, after.Tables[0].Partitions[0].Value.Ballot);
        Assert.Equal("newer", after.Tables[0].Table.Value.Envs["k"]);
        Assert.Equal(TableStatus.Available, after.Tables[0].Table.Value.Status);
        Assert.Equal(3, after.NextAppId.Value);
    }

    [Fact]
    public async Task FencedStore_RefusesEveryWrite_WhenNotLeadingOrTheElectionNodeIsGone()
    {
        var snapshot = await Store.LoadAsync(Ct);
        var created = (await Store.CreateTableAsync(snapshot.NextAppId, Table(1, "t", 1), Partitions(1), Ct)).Value!;
        var connection = Connect(_connectionString!);
        var notLeading = Track(new ZooKeeperMetaStateStore(connection, _root, new FixedFence(null), NullLogger<ZooKeeperMetaStateStore>.Instance), connection);
        var deposed = Track(
            new ZooKeeperMetaStateStore(connection, _root, new FixedFence(_root + "/leader/meta-gone-0000000001"), NullLogger<ZooKeeperMetaStateStore>.Instance),
            connection);
        var partition = created.Table.Partitions[0];

        foreach (var store in new[] { notLeading, deposed })
        {
            await Assert.ThrowsAsync<StateStoreFencedException>(() => store.CreateTableAsync(created.NextAppId, Table(2, "u", 1), Partitions(1), Ct));
            await Assert.ThrowsAsync<StateStoreFencedException>(() => store.DropTableAsync(created.Table.Table, Created, Ct));
            await Assert.ThrowsAsync<StateStoreFencedException>(() => store.UpdateTableEnvsAsync(created.Table.Table, new Dictionary<string, string>(), Ct));
            await Assert.ThrowsAsync<StateStoreFencedException>(() => store.UpdatePartitionAsync(1, partition, partition.Value with { Ballot = 2 }, Ct));
        }

        var after = await Store.LoadAsync(Ct);
        Assert.Equal(created.NextAppId, after.NextAppId);
        Assert.Equal(created.Table.Table.Version, Assert.Single(after.Tables).Table.Version);
        Assert.Equal(0, after.Tables[0].Partitions[0].Version);
    }

    [Fact]
    public async Task FencedStore_WritesWhileItsElectionNodeExists()
    {
        await Store.LoadAsync(Ct);
        await using var zk = await RawClientAsync();
        var node = await zk.CreateAsync(_root + "/leader", ReadOnlyMemory<byte>.Empty, CreateMode.Persistent, Ct);
        var own = await zk.CreateAsync(node + "/meta-x-", ReadOnlyMemory<byte>.Empty, CreateMode.EphemeralSequential, Ct);
        var connection = Connect(_connectionString!);
        var fenced = Track(new ZooKeeperMetaStateStore(connection, _root, new FixedFence(own), NullLogger<ZooKeeperMetaStateStore>.Instance), connection);
        var snapshot = await fenced.LoadAsync(Ct);

        var created = await fenced.CreateTableAsync(snapshot.NextAppId, Table(1, "t", 2), Partitions(2), Ct);
        var updated = await fenced.UpdatePartitionAsync(1, created.Value!.Table.Partitions[1], created.Value.Table.Partitions[1].Value with { Ballot = 2 }, Ct);

        Assert.True(created.IsOk);
        Assert.Equal(StoreWriteStatus.Ok, updated.Status);
        Assert.Equal(1, updated.Value.Version);
    }

    /// <inheritdoc/>
    protected override Task<IMetaStateStore> CreateStoreAsync()
    {
        // Skips (or fails, with PEGASUS_REQUIRE_ZOOKEEPER=1) when ZooKeeper is not installed.
        _connectionString = fixture.Server.ConnectionString;
        return OpenSameStateAsync();
    }

    /// <inheritdoc/>
    protected override Task<IMetaStateStore> OpenSameStateAsync()
    {
        var connection = Connect(_connectionString!);
        return Task.FromResult(Track(new ZooKeeperMetaStateStore(connection, _root, fence: null, NullLogger<ZooKeeperMetaStateStore>.Instance), connection));
    }

    /// <inheritdoc/>
    protected override async Task ReleaseStoreAsync(IMetaStateStore store)
    {
        if (store is not null && _connections.Remove(store, out var connection))
        {
            await connection.DisposeAsync();
        }
    }

    /// <inheritdoc/>
    protected override async Task CleanUpAsync()
    {
        foreach (var connection in _connections.Values.Distinct())
        {
            await connection.DisposeAsync();
        }

        _connections.Clear();
        if (_connectionString is not null)
        {
            await DeleteClusterAsync(_connectionString, _root);
        }
    }

    private static string Text(ReadOnlyMemory<byte> data) => Encoding.UTF8.GetString(data.Span);

    private static TableRecord Table(int appId, string name, int partitionCount)
        => new(appId, name, partitionCount, ReplicaCount: 1, TableStatus.Available, new Dictionary<string, string>(), Created);

    private static PartitionConfigurationRecord[] Partitions(int count)
        => [.. Enumerable.Range(0, count).Select(i => new PartitionConfigurationRecord(i, 1, $"http://127.0.0.1:{9000 + i}", [], 1))];

    private IMetaStateStore Track(IMetaStateStore store, MetaZooKeeperConnection connection)
    {
        _connections[store] = connection;
        return store;
    }

    private Task<ZooKeeperClient> RawClientAsync()
        => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = _connectionString! }, cancellationToken: Ct);

    private sealed class FixedFence(string? path) : IZooKeeperWriteFence
    {
        public string? LeaderNodePath => path;
    }
}
