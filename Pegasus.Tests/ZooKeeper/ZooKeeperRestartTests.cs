using Pegasus.ZooKeeper;
using static Pegasus.Tests.ZooKeeper.ZooKeeperTestHelpers;

namespace Pegasus.Tests.ZooKeeper;

/// <summary>Uses its own standalone server because it kills and restarts it.</summary>
public sealed class ZooKeeperRestartTests
{
    [Fact]
    public async Task StandaloneRestart_WithinSessionTimeout_ResumesSessionWithEphemerals()
    {
        await using var server = await ZooKeeperTestServer.StartStandaloneAsync(cancellationToken: TestToken);
        await using var zk = await ConnectAsync(server.ConnectionString, sessionTimeout: TimeSpan.FromSeconds(10));
        using var states = new StateRecorder(zk);
        var root = await CreateTestRootAsync(zk);
        var ephemeral = await zk.CreateAsync($"{root}/eph", Bytes("x"), CreateMode.Ephemeral, TestToken);
        var sessionId = zk.SessionId;

        server.Kill();
        await states.WaitForAsync(ZooKeeperConnectionState.Disconnected);
        // An operation issued while disconnected waits for the session to come back.
        var waiting = zk.GetDataAsync(ephemeral, cancellationToken: TestToken);
        await server.RestartAsync(TestToken);
        var reconnected = await states.WaitForAsync(ZooKeeperConnectionState.Connected, TimeSpan.FromSeconds(30));

        Assert.Equal(sessionId, reconnected.SessionId);
        Assert.Equal("x", Text((await waiting.Bounded()).Data));
        Assert.Equal(sessionId, (await zk.ExistsAsync(ephemeral, cancellationToken: TestToken))!.EphemeralOwner);
    }
}
