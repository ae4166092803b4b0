using Pegasus.ZooKeeper;
using static Pegasus.Tests.ZooKeeper.ZooKeeperTestHelpers;

namespace Pegasus.Tests.ZooKeeper;

public sealed class ZooKeeperEnsembleTests(ZooKeeperEnsembleFixture fixture) : IClassFixture<ZooKeeperEnsembleFixture>
{
    [Fact]
    public async Task KillingConnectedMember_ReconnectsToAnother_KeepingSessionEphemeralsAndWatches()
    {
        var ensemble = fixture.Ensemble;
        await using var zk = await ConnectAsync(ensemble.ConnectionString, sessionTimeout: TimeSpan.FromSeconds(15));
        using var states = new StateRecorder(zk);
        var root = await CreateTestRootAsync(zk);
        var ephemeral = await zk.CreateAsync($"{root}/leader-", Bytes("me"), CreateMode.EphemeralSequential, TestToken);
        var data = await zk.CreateAsync($"{root}/data", Bytes("0"), CreateMode.Persistent, TestToken);
        var (watcher, calls, fired) = Recorder();
        await zk.GetDataAsync(data, watcher, TestToken);
        var sessionId = zk.SessionId;
        var victim = ensemble.GetByAddress(zk.ConnectedServer!);

        victim.Kill();
        try
        {
            await states.WaitForAsync(ZooKeeperConnectionState.Disconnected);
            var reconnected = await states.WaitForAsync(ZooKeeperConnectionState.Connected, TimeSpan.FromSeconds(40));

            Assert.Equal(sessionId, reconnected.SessionId);
            Assert.NotEqual(victim.ConnectionString, reconnected.Server);
            Assert.Equal(sessionId, (await zk.ExistsAsync(ephemeral, cancellationToken: TestToken))!.EphemeralOwner);

            // The watch was registered with the dead member; only SetWatches told the new one.
            await using var other = await ConnectAsync(string.Join(',', ensemble.Servers.Where(s => s != victim).Select(s => s.ConnectionString)));
            Assert.Equal(sessionId, (await other.ExistsAsync(ephemeral, cancellationToken: TestToken))!.EphemeralOwner);
            await other.SetDataAsync(data, Bytes("1"), -1, TestToken);
            Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, ZooKeeperConnectionState.Connected, data), await fired.Bounded());
            await DrainEventsAsync(zk, root);
            Assert.Single(calls);
        }
        finally
        {
            // Leave the ensemble whole for other tests of this class.
            await victim.RestartAsync(TestToken);
        }
    }

    [Fact]
    public async Task Writes_OnOneMember_AreVisibleOnEveryMember()
    {
        var ensemble = fixture.Ensemble;
        await using var writer = await ConnectAsync(ensemble.Servers[0].ConnectionString);
        var root = await CreateTestRootAsync(writer);
        await writer.CreateAsync($"{root}/x", Bytes("v"), CreateMode.Persistent, TestToken);

        foreach (var member in ensemble.Servers)
        {
            await using var reader = await ConnectAsync(member.ConnectionString);
            // A write is acknowledged once a quorum has it; an exists watch covers a lagging follower.
            var (watcher, _, created) = Recorder();
            if (await reader.ExistsAsync($"{root}/x", watcher, TestToken) is null)
            {
                await created.Bounded();
            }

            Assert.Equal("v", Text((await reader.GetDataAsync($"{root}/x", cancellationToken: TestToken)).Data));
        }
    }
}
