using Pegasus.ZooKeeper;
using static Pegasus.Tests.ZooKeeper.ZooKeeperTestHelpers;

namespace Pegasus.Tests.ZooKeeper;

[Collection(ZooKeeperStandaloneCollection.Name)]
public sealed class ZooKeeperSessionTests(ZooKeeperStandaloneFixture fixture)
{
    [Fact]
    public async Task Close_DeletesEphemeralNodesAtOnce()
    {
        await using var observer = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(observer);
        var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var ephemeral = await zk.CreateAsync($"{root}/eph", Bytes("x"), CreateMode.Ephemeral, TestToken);
        var sequential = await zk.CreateAsync($"{root}/member-", Bytes("x"), CreateMode.EphemeralSequential, TestToken);
        var (watcher, _, deleted) = Recorder();
        Assert.Equal(zk.SessionId, (await observer.ExistsAsync(ephemeral, watcher, TestToken))!.EphemeralOwner);

        await zk.CloseAsync();

        Assert.Equal(new WatchedEvent(WatchEventType.NodeDeleted, ZooKeeperConnectionState.Connected, ephemeral), await deleted.Bounded());
        Assert.Null(await observer.ExistsAsync(sequential, cancellationToken: TestToken));
        Assert.Equal(ZooKeeperConnectionState.Closed, zk.State);
    }

    [Fact]
    public async Task ClosedClient_RejectsOperations_AndCloseIsIdempotent()
    {
        var zk = await ConnectAsync(fixture.Server.ConnectionString);
        await zk.CloseAsync();
        await zk.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => zk.ExistsAsync("/", cancellationToken: TestToken));
    }

    [Fact]
    public async Task Operations_BeforeConnect_AreRejected()
    {
        await using var zk = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = fixture.Server.ConnectionString });

        await Assert.ThrowsAsync<InvalidOperationException>(() => zk.ExistsAsync("/", cancellationToken: TestToken));
        Assert.Equal(ZooKeeperConnectionState.Connecting, zk.State);
    }

    [Fact]
    public async Task Connect_ToDeadServer_FailsWithConnectionLossAfterConnectTimeout()
    {
        var deadPort = ZooKeeperTestPorts.Allocate(1)[0];
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = $"127.0.0.1:{deadPort}",
            ConnectTimeout = TimeSpan.FromSeconds(1),
        };

        await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperClient.ConnectAsync(options, cancellationToken: TestToken)).Bounded();
    }

    [Fact]
    public async Task StateStream_StartsWithCurrentState_AndEndsWithClosed()
    {
        var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var states = new List<ZooKeeperConnectionState>();
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            await foreach (var change in zk.WatchStateAsync(TestToken))
            {
                states.Add(change.State);
                firstSeen.TrySetResult();
            }
        }, TestToken);

        await firstSeen.Task.Bounded();
        await zk.CloseAsync();
        await reader.Bounded();

        Assert.Equal([ZooKeeperConnectionState.Connected, ZooKeeperConnectionState.Closed], states);
    }

    [Fact]
    public async Task NegotiatedTimeout_IsClampedByServer()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString, sessionTimeout: TimeSpan.FromMilliseconds(200));

        // The test server's minSessionTimeout is 1 s.
        Assert.Equal(fixture.Server.Settings.MinSessionTimeout, zk.SessionTimeout);
        Assert.Equal(fixture.Server.ConnectionString, zk.ConnectedServer);
    }

    [Fact]
    public async Task IdleSession_IsKeptAliveByPings()
    {
        // The server's minimum (1 s): without pings the server would expire the session, or the
        // client would time the connection out, within about a second.
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString, sessionTimeout: TimeSpan.FromSeconds(1));
        using var states = new StateRecorder(zk);
        var root = await CreateTestRootAsync(zk);
        var ephemeral = await zk.CreateAsync($"{root}/eph", Bytes("x"), CreateMode.Ephemeral, TestToken);
        var sessionId = zk.SessionId;

        // Asserting that nothing happens needs an observation window: three session timeouts.
        await Task.Delay(TimeSpan.FromSeconds(3), TestToken);

        // (The recorder may still see the initial Connected, raised asynchronously; a lost connection would add Disconnected.)
        Assert.All(states.Seen, s => Assert.Equal(ZooKeeperConnectionState.Connected, s.State));
        Assert.Equal(ZooKeeperConnectionState.Connected, zk.State);
        Assert.Equal(sessionId, (await zk.ExistsAsync(ephemeral, cancellationToken: TestToken))!.EphemeralOwner);
    }

    [Fact]
    public async Task Watches_ChangedWhileDisconnected_FireOnceAfterSessionResumes()
    {
        await using var proxy = TcpProxy.Start(fixture.Server.ClientPort);
        await using var observer = await ConnectAsync(fixture.Server.ConnectionString);
        await using var zk = await ConnectAsync(proxy.ConnectionString);
        using var states = new StateRecorder(zk);
        var root = await CreateTestRootAsync(zk);
        var data = await zk.CreateAsync($"{root}/data", Bytes("0"), CreateMode.Persistent, TestToken);
        var (dataWatcher, dataCalls, dataFired) = Recorder();
        var (existWatcher, existCalls, existFired) = Recorder();
        var (childWatcher, childCalls, childFired) = Recorder();
        await zk.GetDataAsync(data, dataWatcher, TestToken);
        Assert.Null(await zk.ExistsAsync($"{root}/created", existWatcher, TestToken));
        await zk.GetChildrenAsync(root, childWatcher, TestToken);
        var sessionId = zk.SessionId;

        proxy.Block();
        await states.WaitForAsync(ZooKeeperConnectionState.Disconnected);
        // Changed while this client cannot hear about it: only SetWatches after the reconnect can tell it.
        await observer.SetDataAsync(data, Bytes("1"), -1, TestToken);
        await observer.CreateAsync($"{root}/created", Bytes("c"), CreateMode.Persistent, TestToken);
        proxy.Unblock();
        var reconnected = await states.WaitForAsync(ZooKeeperConnectionState.Connected);

        Assert.Equal(sessionId, reconnected.SessionId);
        Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, ZooKeeperConnectionState.Connected, data), await dataFired.Bounded());
        Assert.Equal(WatchEventType.NodeCreated, (await existFired.Bounded()).Type);
        Assert.Equal(WatchEventType.NodeChildrenChanged, (await childFired.Bounded()).Type);
        await observer.SetDataAsync(data, Bytes("2"), -1, TestToken);
        await DrainEventsAsync(zk, root);
        Assert.Single(dataCalls);
        Assert.Single(existCalls);
        Assert.Single(childCalls);
    }

    [Fact]
    public async Task SessionExpiry_WhilePartitioned_IsReportedOnReconnect_AndFailsPendingOperations()
    {
        await using var proxy = TcpProxy.Start(fixture.Server.ClientPort);
        await using var observer = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(observer);
        await using var zk = await ConnectAsync(proxy.ConnectionString, sessionTimeout: TimeSpan.FromSeconds(3));
        using var states = new StateRecorder(zk);
        var ephemeral = await zk.CreateAsync($"{root}/eph", Bytes("x"), CreateMode.Ephemeral, TestToken);
        var (zkWatcher, zkCalls, zkFired) = Recorder();
        await zk.ExistsAsync($"{root}/never", zkWatcher, TestToken);
        var (observerWatcher, _, ephemeralDeleted) = Recorder();
        Assert.NotNull(await observer.ExistsAsync(ephemeral, observerWatcher, TestToken));
        var sessionId = zk.SessionId;

        proxy.Block();
        await states.WaitForAsync(ZooKeeperConnectionState.Disconnected);
        // The server expires the unreachable session and deletes its ephemeral node.
        Assert.Equal(WatchEventType.NodeDeleted, (await ephemeralDeleted.Bounded()).Type);
        var waiting = zk.GetDataAsync(root, cancellationToken: TestToken);
        proxy.Unblock();
        var expired = await states.WaitForAsync(ZooKeeperConnectionState.Expired);

        Assert.Equal(sessionId, expired.SessionId);
        Assert.Equal(ZooKeeperConnectionState.Expired, zk.State);
        await Assert.ThrowsAsync<SessionExpiredException>(() => waiting).Bounded();
        var later = await Assert.ThrowsAsync<SessionExpiredException>(() => zk.ExistsAsync("/", cancellationToken: TestToken));
        Assert.Equal(ZooKeeperErrorCode.SessionExpired, later.Code);
        Assert.Equal(new WatchedEvent(WatchEventType.None, ZooKeeperConnectionState.Expired, null), await zkFired.Bounded());
        await zk.CloseAsync();
        Assert.Single(zkCalls);
        Assert.Equal(
            [ZooKeeperConnectionState.Disconnected, ZooKeeperConnectionState.Expired, ZooKeeperConnectionState.Closed],
            states.Seen.Select(s => s.State).Where(s => s != ZooKeeperConnectionState.Connected).Distinct());
    }
}
