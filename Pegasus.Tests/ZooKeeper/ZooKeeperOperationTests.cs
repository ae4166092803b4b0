using Pegasus.ZooKeeper;
using static Pegasus.Tests.ZooKeeper.ZooKeeperTestHelpers;

namespace Pegasus.Tests.ZooKeeper;

[Collection(ZooKeeperStandaloneCollection.Name)]
public sealed class ZooKeeperOperationTests(ZooKeeperStandaloneFixture fixture)
{
    [Fact]
    public async Task Create_Persistent_ThenGetDataReturnsDataAndStat()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);

        var created = await zk.CreateAsync($"{root}/node", Bytes("hello"), CreateMode.Persistent, TestToken);
        var read = await zk.GetDataAsync(created, cancellationToken: TestToken);

        Assert.Equal($"{root}/node", created);
        Assert.Equal("hello", Text(read.Data));
        Assert.Equal(0, read.Stat.Version);
        Assert.Equal(5, read.Stat.DataLength);
        Assert.Equal(0, read.Stat.EphemeralOwner);
        Assert.True(read.Stat.Czxid > 0);
        Assert.Equal(read.Stat.Czxid, read.Stat.Mzxid);
    }

    [Fact]
    public async Task Create_EmptyData_ReadsAsEmpty()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);

        await zk.CreateAsync($"{root}/empty", ReadOnlyMemory<byte>.Empty, CreateMode.Persistent, TestToken);

        var read = await zk.GetDataAsync($"{root}/empty", cancellationToken: TestToken);
        Assert.True(read.Data.IsEmpty);
        Assert.Equal(0, read.Stat.DataLength);
    }

    [Fact]
    public async Task Create_Existing_ThrowsNodeExists()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        await zk.CreateAsync($"{root}/a", Bytes("1"), CreateMode.Persistent, TestToken);

        var error = await Assert.ThrowsAsync<NodeExistsException>(() => zk.CreateAsync($"{root}/a", Bytes("2"), CreateMode.Persistent, TestToken));

        Assert.Equal(ZooKeeperErrorCode.NodeExists, error.Code);
        Assert.Equal($"{root}/a", error.Path);
    }

    [Fact]
    public async Task Create_WithoutParent_ThrowsNoNode()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);

        var error = await Assert.ThrowsAsync<NoNodeException>(() => zk.CreateAsync($"{root}/missing/child", Bytes("x"), CreateMode.Persistent, TestToken));
        Assert.Equal(ZooKeeperErrorCode.NoNode, error.Code);
    }

    [Fact]
    public async Task Create_UnderEphemeral_ThrowsNoChildrenForEphemerals()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        await zk.CreateAsync($"{root}/eph", Bytes("x"), CreateMode.Ephemeral, TestToken);

        var error = await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(
            () => zk.CreateAsync($"{root}/eph/child", Bytes("x"), CreateMode.Persistent, TestToken));
        Assert.Equal(ZooKeeperErrorCode.NoChildrenForEphemerals, error.Code);
    }

    [Fact]
    public async Task Create_Sequential_AppendsIncreasingTenDigitCounter()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);

        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(await zk.CreateAsync($"{root}/lock-", Bytes("p"), CreateMode.PersistentSequential, TestToken));
            created.Add(await zk.CreateAsync($"{root}/lock-", Bytes("e"), CreateMode.EphemeralSequential, TestToken));
        }

        // The counter is the parent's cversion: shared by both modes, 10 zero-padded digits.
        Assert.Equal(
            Enumerable.Range(0, 6).Select(i => $"{root}/lock-{i:D10}"),
            created);
        var children = await zk.GetChildrenAsync(root, cancellationToken: TestToken);
        Assert.Equal(created.Select(p => p[(root.Length + 1)..]).Order(StringComparer.Ordinal), children.Children.Order(StringComparer.Ordinal));
        var ephemeral = await zk.ExistsAsync(created[1], cancellationToken: TestToken);
        Assert.Equal(zk.SessionId, ephemeral!.EphemeralOwner);
    }

    [Fact]
    public async Task SetData_WithMatchingVersion_BumpsVersion_AndStaleVersionThrowsBadVersion()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var path = await zk.CreateAsync($"{root}/cas", Bytes("v0"), CreateMode.Persistent, TestToken);

        var stat1 = await zk.SetDataAsync(path, Bytes("v1"), version: 0, TestToken);
        var error = await Assert.ThrowsAsync<BadVersionException>(() => zk.SetDataAsync(path, Bytes("stale"), version: 0, TestToken));
        var stat2 = await zk.SetDataAsync(path, Bytes("v2"), version: -1, TestToken);

        Assert.Equal(1, stat1.Version);
        Assert.Equal(2, stat2.Version);
        Assert.Equal(ZooKeeperErrorCode.BadVersion, error.Code);
        Assert.Equal("v2", Text((await zk.GetDataAsync(path, cancellationToken: TestToken)).Data));
    }

    [Fact]
    public async Task SetData_Missing_ThrowsNoNode()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);

        await Assert.ThrowsAsync<NoNodeException>(() => zk.SetDataAsync($"{root}/none", Bytes("x"), -1, TestToken));
        await Assert.ThrowsAsync<NoNodeException>(() => zk.GetDataAsync($"{root}/none", cancellationToken: TestToken));
    }

    [Fact]
    public async Task Delete_ChecksVersionAndChildren()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var parent = await zk.CreateAsync($"{root}/parent", Bytes("x"), CreateMode.Persistent, TestToken);
        await zk.CreateAsync($"{parent}/child", Bytes("x"), CreateMode.Persistent, TestToken);

        await Assert.ThrowsAsync<NotEmptyException>(() => zk.DeleteAsync(parent, -1, TestToken));
        await Assert.ThrowsAsync<BadVersionException>(() => zk.DeleteAsync($"{parent}/child", version: 7, TestToken));
        await zk.DeleteAsync($"{parent}/child", version: 0, TestToken);
        await zk.DeleteAsync(parent, cancellationToken: TestToken);

        Assert.Null(await zk.ExistsAsync(parent, cancellationToken: TestToken));
        await Assert.ThrowsAsync<NoNodeException>(() => zk.DeleteAsync(parent, -1, TestToken));
    }

    [Fact]
    public async Task Exists_ReturnsStatOrNull()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        await zk.CreateAsync($"{root}/here", Bytes("abc"), CreateMode.Persistent, TestToken);

        var here = await zk.ExistsAsync($"{root}/here", cancellationToken: TestToken);
        var gone = await zk.ExistsAsync($"{root}/gone", cancellationToken: TestToken);

        Assert.NotNull(here);
        Assert.Equal(3, here.DataLength);
        Assert.Null(gone);
    }

    [Fact]
    public async Task GetChildren_ReturnsNamesAndParentStat()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        foreach (var name in new[] { "b", "a", "c" })
        {
            await zk.CreateAsync($"{root}/{name}", Bytes(name), CreateMode.Persistent, TestToken);
        }

        var result = await zk.GetChildrenAsync(root, cancellationToken: TestToken);

        Assert.Equal(["a", "b", "c"], result.Children.Order(StringComparer.Ordinal));
        Assert.Equal(3, result.Stat.NumChildren);
        Assert.Equal(3, result.Stat.Cversion);
        await Assert.ThrowsAsync<NoNodeException>(() => zk.GetChildrenAsync($"{root}/none", cancellationToken: TestToken));
    }

    [Fact]
    public async Task Chroot_MakesPathsRelative()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        await using var rooted = await ConnectAsync(fixture.Server.ConnectionString + root);

        var created = await rooted.CreateAsync("/seq-", Bytes("x"), CreateMode.PersistentSequential, TestToken);
        var children = await rooted.GetChildrenAsync("/", cancellationToken: TestToken);
        var multi = await rooted.MultiAsync([MultiOp.Create("/m", Bytes("m"))], TestToken);

        Assert.Equal("/seq-0000000000", created);
        Assert.Contains("seq-0000000000", children.Children);
        Assert.Equal("/m", Assert.IsType<CreateResult>(multi.Results[0]).Path);
        Assert.NotNull(await zk.ExistsAsync($"{root}/seq-0000000000", cancellationToken: TestToken));
        Assert.NotNull(await zk.ExistsAsync($"{root}/m", cancellationToken: TestToken));
    }

    [Fact]
    public async Task InvalidPath_ThrowsArgumentException_WithoutContactingServer()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);

        await Assert.ThrowsAsync<ArgumentException>(() => zk.CreateAsync("relative", Bytes("x"), CreateMode.Persistent, TestToken));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.GetDataAsync("/a//b", cancellationToken: TestToken));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.ExistsAsync("/a/", cancellationToken: TestToken));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.DeleteAsync("/a/../b", -1, TestToken));
    }

    [Fact]
    public async Task ManyConcurrentRequests_WithSmallPendingLimit_AllComplete()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString, maxPendingRequests: 4);
        var root = await CreateTestRootAsync(zk);

        var creates = Enumerable.Range(0, 200).Select(i => zk.CreateAsync($"{root}/n{i}", Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), CreateMode.Persistent, TestToken));
        var paths = await Task.WhenAll(creates).Bounded();
        var reads = await Task.WhenAll(paths.Select(p => zk.GetDataAsync(p, cancellationToken: TestToken))).Bounded();

        Assert.Equal(200, (await zk.GetChildrenAsync(root, cancellationToken: TestToken)).Children.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), reads.Select(r => Text(r.Data)));
    }

    [Fact]
    public async Task CancelledToken_ThrowsOperationCanceled()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => zk.ExistsAsync("/", cancellationToken: cts.Token));
        Assert.NotNull(await zk.ExistsAsync("/", cancellationToken: TestToken));
    }
}
