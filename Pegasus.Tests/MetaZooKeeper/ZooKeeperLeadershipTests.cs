using Pegasus.Meta.Leadership;
using Pegasus.Meta.Leadership.ZooKeeper;
using Pegasus.Meta.ZooKeeper;
using Pegasus.Tests.ZooKeeper;
using Pegasus.ZooKeeper;
using static Pegasus.Tests.MetaZooKeeper.MetaZooKeeperTestHelpers;

namespace Pegasus.Tests.MetaZooKeeper;

/// <summary>Leader election between in-process <see cref="ZooKeeperLeadership"/> instances on one real ZooKeeper.</summary>
[Collection(MetaZooKeeperCollection.Name)]
public sealed class ZooKeeperLeadershipTests(ZooKeeperStandaloneFixture fixture) : IAsyncLifetime
{
    private readonly string _cluster = UniqueClusterName("election");
    private readonly List<Contender> _contenders = [];
    private readonly List<TcpProxy> _proxies = [];

    [Fact]
    public async Task TwoMetas_ExactlyOneLeads_AndTheStandbyNamesTheLeader()
    {
        var a = await StartAsync(1);
        var b = await StartAsync(2);

        var (leader, standby) = await WaitForOneLeaderAsync(a, b);

        Assert.True(leader.Leadership.IsLeader);
        Assert.False(standby.Leadership.IsLeader);
        Assert.False(leader.Leadership.LeadershipToken.IsCancellationRequested);
        Assert.True(standby.Leadership.LeadershipToken.IsCancellationRequested);
        Assert.Equal(leader.Leadership.Self, leader.Leadership.Leader);
        Assert.Equal(leader.Leadership.Self, standby.Leadership.Leader);
        Assert.Equal(leader.Leadership.OwnNodePath, leader.Leadership.LeaderNodePath);
        Assert.Null(standby.Leadership.LeaderNodePath);

        // Both contend with one node each; the leader's is the lowest and holds its addresses.
        await using var zk = await RawClientAsync();
        var nodes = (await zk.GetChildrenAsync(leader.Leadership.ElectionPath, cancellationToken: Ct)).Children.Order().ToList();
        Assert.Equal(2, nodes.Count);
        Assert.Equal(leader.Leadership.OwnNodePath, leader.Leadership.ElectionPath + "/" + nodes.MinBy(n => n[^10..]));
        var data = System.Text.Encoding.UTF8.GetString((await zk.GetDataAsync(leader.Leadership.OwnNodePath!, cancellationToken: Ct)).Data.Span);
        Assert.Contains(leader.Leadership.Self.GrpcAddress, data, StringComparison.Ordinal);
        Assert.Contains(leader.Leadership.Self.HttpAddress, data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LeaderSessionClosed_StepsDownAtOnce_AndPromotesTheStandby()
    {
        var a = await StartAsync(1);
        var b = await StartAsync(2);
        var (leader, standby) = await WaitForOneLeaderAsync(a, b);
        var term = await leader.Leadership.WaitForLeadershipAsync(Ct);
        var gained = standby.Leadership.WaitForLeadershipAsync(Ct).AsTask();

        await leader.Connection.Current!.CloseAsync();

        await WaitUntilAsync(() => term.IsCancellationRequested, () => "the closed leader still holds its term");
        var newTerm = await gained.WaitAsync(ElectionTimeout, Ct);
        Assert.False(newTerm.IsCancellationRequested);
        Assert.True(standby.Leadership.IsLeader);

        // The old leader opens a new session and stands by behind the new one.
        await WaitUntilAsync(
            () => leader.Leadership.OwnNodePath is not null && Equals(leader.Leadership.Leader, standby.Leadership.Self),
            () => $"the old leader names {leader.Leadership.Leader} and has node {leader.Leadership.OwnNodePath}");
        Assert.False(leader.Leadership.IsLeader);
        Assert.True(standby.Leadership.IsLeader);
    }

    [Fact]
    public async Task LeaderNodeDeleted_DeposesTheLeader_WhichRejoinsAsStandby()
    {
        var a = await StartAsync(1);
        var b = await StartAsync(2);
        var (leader, standby) = await WaitForOneLeaderAsync(a, b);
        var term = leader.Leadership.LeadershipToken;
        var node = leader.Leadership.OwnNodePath!;

        await using (var zk = await RawClientAsync())
        {
            await zk.DeleteAsync(node, -1, Ct);
        }

        await WaitUntilAsync(() => term.IsCancellationRequested && standby.Leadership.IsLeader, () => "the deposed leader kept its term, or the standby did not take over");
        await WaitUntilAsync(
            () => leader.Leadership.OwnNodePath is { } rejoined && rejoined != node && Equals(leader.Leadership.Leader, standby.Leadership.Self),
            () => $"the deposed leader did not rejoin behind the new one (node {leader.Leadership.OwnNodePath})");
        Assert.False(leader.Leadership.IsLeader);
    }

    [Fact]
    public async Task Disconnect_StopsLeadingAtOnce_AndReconnectWithinTheSessionLeadsAgain()
    {
        var proxy = StartProxy();
        var a = await StartAsync(1, proxy.ConnectionString, TimeSpan.FromSeconds(20));
        await WaitUntilAsync(() => a.Leadership.IsLeader, () => "the first contender does not lead");
        var b = await StartAsync(2);
        await WaitUntilAsync(() => Equals(b.Leadership.Leader, a.Leadership.Self), () => $"the standby names {b.Leadership.Leader}");
        var node = a.Leadership.OwnNodePath;
        var term = a.Leadership.LeadershipToken;
        var changes = new List<MetaLeadershipChange>();
        a.Leadership.LeadershipChanged += (_, change) =>
        {
            lock (changes)
            {
                changes.Add(change);
            }
        };
        proxy.Block();

        // Well before the 20 s session could expire (the 8 s bound fails the test otherwise):
        // leadership that cannot be confirmed is given up.
        await WaitUntilAsync(() => term.IsCancellationRequested, () => "the cut-off leader still holds its term", TimeSpan.FromSeconds(8));
        Assert.False(a.Leadership.IsLeader);
        Assert.Null(a.Leadership.Leader);
        Assert.Null(a.Leadership.LeaderNodePath);

        // Its session (and node) still live on the server, so nobody else may lead meanwhile.
        Assert.False(b.Leadership.IsLeader);

        proxy.Unblock();
        await WaitUntilAsync(() => a.Leadership.IsLeader, () => "the reconnected contender does not lead again");
        Assert.Equal(node, a.Leadership.OwnNodePath);
        Assert.False(b.Leadership.IsLeader);
        lock (changes)
        {
            Assert.Equal([false, true], changes.Select(change => change.IsLeader));
        }
    }

    [Fact]
    public async Task SessionExpiry_PromotesTheStandby_AndTheOldLeaderRejoinsWithANewSession()
    {
        var proxy = StartProxy();
        var a = await StartAsync(1, proxy.ConnectionString, TimeSpan.FromSeconds(2));
        await WaitUntilAsync(() => a.Leadership.IsLeader, () => "the first contender does not lead");
        var b = await StartAsync(2);
        await WaitUntilAsync(() => Equals(b.Leadership.Leader, a.Leadership.Self), () => $"the standby names {b.Leadership.Leader}");
        var oldSession = a.Connection.Current!.SessionId;
        var oldNode = a.Leadership.OwnNodePath;

        proxy.Block();
        await WaitUntilAsync(() => b.Leadership.IsLeader, () => "the standby did not take over after the leader's session expired");
        Assert.False(a.Leadership.IsLeader);
        proxy.Unblock();

        await WaitUntilAsync(
            () => a.Connection.Current is { State: ZooKeeperConnectionState.Connected } client && client.SessionId != oldSession
                && a.Leadership.OwnNodePath is { } node && node != oldNode && Equals(a.Leadership.Leader, b.Leadership.Self),
            () => $"the old leader did not rejoin behind the new one (node {a.Leadership.OwnNodePath}, leader {a.Leadership.Leader})");
        Assert.True(b.Leadership.IsLeader);
        Assert.False(a.Leadership.IsLeader);
    }

    [Fact]
    public async Task ThreeMetas_LeaderChange_EveryStandbyNamesTheNewLeader()
    {
        var a = await StartAsync(1);
        await WaitUntilAsync(() => a.Leadership.IsLeader, () => "the first contender does not lead");
        var b = await StartAsync(2);
        await WaitUntilAsync(() => Equals(b.Leadership.Leader, a.Leadership.Self), () => "the second does not name the first");
        var c = await StartAsync(3);
        await WaitUntilAsync(() => Equals(c.Leadership.Leader, a.Leadership.Self), () => "the third does not name the first");

        // A graceful stop deletes the leader's node at once.
        await a.Leadership.StopAsync(Ct);

        await WaitUntilAsync(() => b.Leadership.IsLeader, () => "the next in line did not take over");
        await WaitUntilAsync(() => Equals(c.Leadership.Leader, b.Leadership.Self), () => $"the last standby still names {c.Leadership.Leader}");
        Assert.False(c.Leadership.IsLeader);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var contender in _contenders)
        {
            await contender.DisposeAsync();
        }

        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        if (_contenders.Count > 0)
        {
            await DeleteClusterAsync(fixture.Server.ConnectionString, "/pegasus/" + _cluster);
        }
    }

    private TcpProxy StartProxy()
    {
        var proxy = TcpProxy.Start(fixture.Server.ClientPort);
        _proxies.Add(proxy);
        return proxy;
    }

    private async Task<Contender> StartAsync(int id, string? connectionString = null, TimeSpan? sessionTimeout = null)
    {
        var connection = Connect(connectionString ?? fixture.Server.ConnectionString, sessionTimeout);
        var contender = new Contender(connection, NewLeadership(connection, _cluster, id));
        _contenders.Add(contender);
        await contender.Leadership.StartAsync(Ct);
        return contender;
    }

    private static async Task<(Contender Leader, Contender Standby)> WaitForOneLeaderAsync(Contender a, Contender b)
    {
        await WaitUntilAsync(
            () => a.Leadership.IsLeader != b.Leadership.IsLeader
                && Equals((a.Leadership.IsLeader ? b : a).Leadership.Leader, (a.Leadership.IsLeader ? a : b).Leadership.Self),
            () => $"a: leader={a.Leadership.IsLeader} names {a.Leadership.Leader}; b: leader={b.Leadership.IsLeader} names {b.Leadership.Leader}");
        return a.Leadership.IsLeader ? (a, b) : (b, a);
    }

    private Task<ZooKeeperClient> RawClientAsync()
        => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = fixture.Server.ConnectionString }, cancellationToken: Ct);

    private sealed record Contender(MetaZooKeeperConnection Connection, ZooKeeperLeadership Leadership) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Leadership.StopAsync(CancellationToken.None);
            Leadership.Dispose();
            await Connection.DisposeAsync();
        }
    }
}
