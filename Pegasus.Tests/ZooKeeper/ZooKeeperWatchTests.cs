using Pegasus.ZooKeeper;
using static Pegasus.Tests.ZooKeeper.ZooKeeperTestHelpers;

namespace Pegasus.Tests.ZooKeeper;

[Collection(ZooKeeperStandaloneCollection.Name)]
public sealed class ZooKeeperWatchTests(ZooKeeperStandaloneFixture fixture)
{
    [Fact]
    public async Task DataWatch_FiresExactlyOnce_ForTwoChanges()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var path = await zk.CreateAsync($"{root}/data", Bytes("0"), CreateMode.Persistent, TestToken);
        var (watcher, calls, first) = Recorder();

        await zk.GetDataAsync(path, watcher, TestToken);
        await zk.SetDataAsync(path, Bytes("1"), -1, TestToken);
        await zk.SetDataAsync(path, Bytes("2"), -1, TestToken);
        var fired = await first.Bounded();
        await DrainEventsAsync(zk, root);

        Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, ZooKeeperConnectionState.Connected, path), fired);
        Assert.Single(calls);
        Assert.Equal(0, zk.OutstandingWatchCount);
    }

    [Fact]
    public async Task DataWatch_SeesDeletion()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var path = await zk.CreateAsync($"{root}/doomed", Bytes("0"), CreateMode.Persistent, TestToken);
        var (watcher, calls, first) = Recorder();

        await zk.GetDataAsync(path, watcher, TestToken);
        await zk.DeleteAsync(path, -1, TestToken);

        Assert.Equal(WatchEventType.NodeDeleted, (await first.Bounded()).Type);
        await DrainEventsAsync(zk, root);
        Assert.Single(calls);
    }

    [Fact]
    public async Task ChildWatch_FiresExactlyOnce_ForChildChanges()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var parent = await zk.CreateAsync($"{root}/parent", Bytes("p"), CreateMode.Persistent, TestToken);
        var (watcher, calls, first) = Recorder();

        var before = await zk.GetChildrenAsync(parent, watcher, TestToken);
        await zk.CreateAsync($"{parent}/c1", Bytes("1"), CreateMode.Persistent, TestToken);
        await zk.CreateAsync($"{parent}/c2", Bytes("2"), CreateMode.Persistent, TestToken);
        // A data change of the parent is not a children change.
        await zk.SetDataAsync(parent, Bytes("p2"), -1, TestToken);
        var fired = await first.Bounded();
        await DrainEventsAsync(zk, root);

        Assert.Empty(before.Children);
        Assert.Equal(new WatchedEvent(WatchEventType.NodeChildrenChanged, ZooKeeperConnectionState.Connected, parent), fired);
        Assert.Single(calls);
    }

    [Fact]
    public async Task ExistsWatch_OnMissingNode_FiresOnceOnCreate()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        await using var other = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var path = $"{root}/later";
        var (watcher, calls, first) = Recorder();

        Assert.Null(await zk.ExistsAsync(path, watcher, TestToken));
        await other.CreateAsync(path, Bytes("x"), CreateMode.Persistent, TestToken);
        await other.SetDataAsync(path, Bytes("y"), -1, TestToken);
        var fired = await first.Bounded();
        await DrainEventsAsync(zk, root);

        Assert.Equal(new WatchedEvent(WatchEventType.NodeCreated, ZooKeeperConnectionState.Connected, path), fired);
        Assert.Single(calls);
    }

    [Fact]
    public async Task ExistsWatch_OnExistingNode_FiresOnDelete()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var path = await zk.CreateAsync($"{root}/present", Bytes("x"), CreateMode.Persistent, TestToken);
        var (watcher, calls, first) = Recorder();

        Assert.NotNull(await zk.ExistsAsync(path, watcher, TestToken));
        await zk.DeleteAsync(path, -1, TestToken);

        Assert.Equal(WatchEventType.NodeDeleted, (await first.Bounded()).Type);
        await DrainEventsAsync(zk, root);
        Assert.Single(calls);
    }

    [Fact]
    public async Task SameWatcherOnDataAndChildren_FiresOnceForDeletion_AndDistinctWatchersEachFire()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var path = await zk.CreateAsync($"{root}/both", Bytes("x"), CreateMode.Persistent, TestToken);
        var (shared, sharedCalls, sharedFirst) = Recorder();
        var (separate, separateCalls, separateFirst) = Recorder();

        await zk.GetDataAsync(path, shared, TestToken);
        await zk.GetChildrenAsync(path, shared, TestToken);
        await zk.ExistsAsync(path, separate, TestToken);
        await zk.DeleteAsync(path, -1, TestToken);
        await Task.WhenAll(sharedFirst, separateFirst).Bounded();
        await DrainEventsAsync(zk, root);

        Assert.Single(sharedCalls);
        Assert.Single(separateCalls);
    }

    [Fact]
    public async Task Watches_AreDeliveredInServerOrder()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var order = new List<string>();
        var paths = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var path = await zk.CreateAsync($"{root}/n{i:D2}", Bytes("x"), CreateMode.Persistent, TestToken);
            paths.Add(path);
            await zk.GetDataAsync(path, e =>
            {
                lock (order)
                {
                    order.Add(e.Path!);
                }
            }, TestToken);
        }

        // One transaction changes them all in this order; the server notifies in the same order.
        var result = await zk.MultiAsync(paths.Select(p => MultiOp.SetData(p, Bytes("y"))), TestToken);
        result.EnsureSuccess();
        await DrainEventsAsync(zk, root);

        Assert.Equal(paths, order);
    }

    [Fact]
    public async Task Close_NotifiesOutstandingWatchersOnce()
    {
        var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var (watcher, calls, first) = Recorder();
        await zk.ExistsAsync($"{root}/never", watcher, TestToken);

        await zk.CloseAsync();

        Assert.Equal(new WatchedEvent(WatchEventType.None, ZooKeeperConnectionState.Closed, null), await first.Bounded());
        Assert.Single(calls);
    }

    [Fact]
    public async Task ThrowingWatcher_DoesNotStopLaterDeliveries()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        var a = await zk.CreateAsync($"{root}/a", Bytes("x"), CreateMode.Persistent, TestToken);
        var b = await zk.CreateAsync($"{root}/b", Bytes("x"), CreateMode.Persistent, TestToken);
        var (watcher, _, first) = Recorder();

        await zk.GetDataAsync(a, _ => throw new InvalidOperationException("boom"), TestToken);
        await zk.GetDataAsync(b, watcher, TestToken);
        await zk.SetDataAsync(a, Bytes("y"), -1, TestToken);
        await zk.SetDataAsync(b, Bytes("y"), -1, TestToken);

        Assert.Equal(b, (await first.Bounded()).Path);
    }
}
