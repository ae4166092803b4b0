using System.Globalization;
using System.Text;

namespace Pegasus.Tests.ZooKeeper;

/// <summary>
/// A real ZooKeeper ensemble on loopback (default 3 members), each member with its own data
/// directory, myid and free client/peer/election ports.
/// </summary>
public sealed class ZooKeeperTestEnsemble : IAsyncDisposable
{
    private readonly string _directory;

    private ZooKeeperTestEnsemble(string directory, IReadOnlyList<ZooKeeperTestServer> servers)
    {
        _directory = directory;
        Servers = servers;
    }

    /// <summary>The members, by server id (1-based id = index + 1).</summary>
    public IReadOnlyList<ZooKeeperTestServer> Servers { get; }

    /// <summary>The connection string naming every member.</summary>
    public string ConnectionString => string.Join(',', Servers.Select(s => s.ConnectionString));

    /// <summary>
    /// Starts every member and waits until each one accepts sessions. Skips (or, with
    /// <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c>, fails) the calling test when ZooKeeper is not installed.
    /// </summary>
    public static async Task<ZooKeeperTestEnsemble> StartAsync(
        int size = 3, ZooKeeperTestServerSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var installation = ZooKeeperTestInstallation.Require();
        settings ??= new ZooKeeperTestServerSettings();
        var ports = ZooKeeperTestPorts.Allocate(size * 3);
        var members = new StringBuilder();
        for (var id = 1; id <= size; id++)
        {
            var (peer, election) = (ports[size + ((id - 1) * 2)], ports[size + ((id - 1) * 2) + 1]);
            members.Append(CultureInfo.InvariantCulture, $"server.{id}=127.0.0.1:{peer}:{election}\n");
        }

        var directory = ZooKeeperTestServer.NewDirectory("ensemble");
        var servers = new List<ZooKeeperTestServer>();
        for (var id = 1; id <= size; id++)
        {
            servers.Add(new ZooKeeperTestServer(
                installation, Path.Combine(directory, $"node{id}"), id, ports[id - 1], settings, members.ToString(), ownsDirectory: false));
        }

        var ensemble = new ZooKeeperTestEnsemble(directory, servers);
        try
        {
            // All members must run before any can serve: a member needs a quorum to elect a leader.
            servers.ForEach(s => s.Launch());
            await Task.WhenAll(servers.Select(s => s.WaitUntilServingAsync(cancellationToken)));
            return ensemble;
        }
        catch
        {
            await ensemble.DisposeAsync();
            throw;
        }
    }

    /// <summary>The member listening at <paramref name="hostPort"/> (as reported by <c>ZooKeeperClient.ConnectedServer</c>).</summary>
    public ZooKeeperTestServer GetByAddress(string hostPort) =>
        Servers.Single(s => s.ConnectionString == hostPort || $"localhost:{s.ClientPort}" == hostPort);

    /// <summary>Kills every member and deletes the ensemble's directory.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }

        ZooKeeperTestServer.TryDeleteDirectory(_directory);
    }
}
