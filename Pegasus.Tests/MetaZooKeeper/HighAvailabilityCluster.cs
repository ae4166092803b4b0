using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Tests.Cluster;
using Pegasus.Tests.ZooKeeper;

namespace Pegasus.Tests.MetaZooKeeper;

/// <summary>
/// The high-availability deployment as real processes: one ZooKeeper, two meta servers in the
/// ZooKeeper mode (one cluster name), and replica servers that beacon both metas. Everything lives
/// under one temporary directory; <see cref="DisposeAsync"/> stops every process and deletes it.
/// </summary>
internal sealed class HighAvailabilityCluster : IAsyncDisposable
{
    private const int DiagnosticTailChars = 6 * 1024;

    private readonly List<MetaServerProcess> _metas = [];
    private readonly List<ReplicaServerProcess> _replicas = [];
    private readonly List<PegasusClient> _clients = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private HighAvailabilityCluster(ZooKeeperTestServer zooKeeper, string rootDirectory, TimeSpan sessionTimeout)
    {
        ZooKeeper = zooKeeper;
        RootDirectory = rootDirectory;
        SessionTimeout = sessionTimeout;
    }

    /// <summary>Gets the ZooKeeper server.</summary>
    public ZooKeeperTestServer ZooKeeper { get; }

    /// <summary>Gets the meta servers.</summary>
    public IReadOnlyList<MetaServerProcess> Metas => _metas;

    /// <summary>Gets the replica servers.</summary>
    public IReadOnlyList<ReplicaServerProcess> Replicas => _replicas;

    /// <summary>Gets the ZooKeeper session timeout the metas run with.</summary>
    public TimeSpan SessionTimeout { get; }

    /// <summary>Gets the bound of the harness's waits.</summary>
    public static TimeSpan WaitTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the temporary directory of every process's data.</summary>
    public string RootDirectory { get; }

    /// <summary>Gets the metas' gRPC addresses.</summary>
    public IReadOnlyList<string> MetaGrpcAddresses => [.. _metas.Select(meta => meta.GrpcAddress.ToString().TrimEnd('/'))];

    /// <summary>Gets the metas' admin addresses.</summary>
    public IReadOnlyList<string> MetaHttpAddresses => [.. _metas.Select(meta => meta.HttpAddress.ToString().TrimEnd('/'))];

    /// <summary>
    /// Starts ZooKeeper, two metas (waiting until each answers <c>/health</c>), then the replica servers,
    /// and waits until the meta leader sees them all alive. Skips the test without ZooKeeper (fails with
    /// <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c>).
    /// </summary>
    public static async Task<HighAvailabilityCluster> StartAsync(TimeSpan sessionTimeout, int replicaCount, CancellationToken cancellationToken)
    {
        var zooKeeper = await ZooKeeperTestServer.StartStandaloneAsync(cancellationToken: cancellationToken);
        var root = Path.Combine(Path.GetTempPath(), "pegasus-ha-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var cluster = new HighAvailabilityCluster(zooKeeper, root, sessionTimeout);
        try
        {
            await cluster.StartProcessesAsync("ha-" + Guid.NewGuid().ToString("N")[..12], replicaCount, cancellationToken);
            return cluster;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var diagnostics = cluster.Diagnostics();
            await cluster.DisposeAsync();
            throw new InvalidOperationException($"The HA cluster did not start: {exception.Message}\n{diagnostics}", exception);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of both metas, disposed with the cluster.</summary>
    public PegasusClient CreateClient()
    {
        var client = new PegasusClient(new PegasusClientOptions
        {
            MetaServers = [.. MetaGrpcAddresses],
            MetaAdminAddresses = [.. MetaHttpAddresses],
            DefaultTimeout = TimeSpan.FromSeconds(15),
            AdminTimeout = TimeSpan.FromSeconds(30),
        });
        _clients.Add(client);
        return client;
    }

    /// <summary>Asks each running meta <c>GET /v1/cluster</c>: the leader answers with <c>isLeader</c> true, a standby false.</summary>
    /// <returns>The metas that claim to lead right now.</returns>
    public async Task<IReadOnlyList<MetaServerProcess>> GetLeadersAsync(CancellationToken cancellationToken)
    {
        var leaders = new List<MetaServerProcess>();
        foreach (var meta in _metas.Where(meta => !meta.HasExited))
        {
            try
            {
                using var response = await _http.GetAsync(new Uri(meta.HttpAddress, "/v1/cluster"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK
                    && JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) is { } body
                    && (bool?)body["isLeader"] == true)
                {
                    leaders.Add(meta);
                }
            }
            catch (HttpRequestException)
            {
                // Not answering (starting or stopping): not a leader.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe timed out.
            }
        }

        return leaders;
    }

    /// <summary>The status of a meta's <c>/health</c> (readiness) right now; 503 when it does not answer.</summary>
    public async Task<HttpStatusCode> GetHealthAsync(MetaServerProcess meta, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(meta.HttpAddress, "/health"), cancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return HttpStatusCode.ServiceUnavailable;
        }
    }

    /// <summary>Polls until exactly one meta leads; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<MetaServerProcess> WaitForSingleLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        IReadOnlyList<MetaServerProcess> leaders = [];
        await ClusterTestHelpers.EventuallyAsync(
            async () => (leaders = await GetLeadersAsync(cancellationToken)).Count == 1,
            () => $"{leaders.Count} metas lead ({string.Join(", ", leaders.Select(m => m.HttpAddress))})\n{Diagnostics()}",
            timeout);
        return leaders[0];
    }

    /// <summary>Polls the leader (through the admin client) until every running replica server is listed alive.</summary>
    public async Task WaitForReplicasAliveAsync(PegasusClient client, CancellationToken cancellationToken)
    {
        var lastSeen = "never listed";
        await ClusterTestHelpers.EventuallyAsync(
            async () =>
            {
                try
                {
                    var nodes = await client.Admin.ListNodesAsync(cancellationToken);
                    lastSeen = string.Join(", ", nodes.Select(node => $"{node.Address}:{(node.Alive ? "alive" : "dead")}"));
                    var alive = nodes.Where(node => node.Alive).Select(node => node.Address.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    return _replicas.Where(replica => replica.IsRunning).All(replica => alive.Contains(replica.GrpcAddress));
                }
                catch (PegasusException exception) when (exception.IsTransient)
                {
                    lastSeen = exception.Message;
                    return false;
                }
            },
            () => $"replica servers not all alive at the meta leader (last: {lastSeen})\n{Diagnostics()}",
            WaitTimeout);
    }

    /// <summary>Waits until every partition of <paramref name="table"/> answers a read.</summary>
    public async Task WaitUntilServedAsync(PegasusTable table)
    {
        var probes = PegasusTestCluster.ProbeKeys(table.PartitionCount);
        var pending = new HashSet<int>(Enumerable.Range(0, probes.Length));
        string? lastFailure = null;
        await ClusterTestHelpers.EventuallyAsync(
            async () =>
            {
                foreach (var partition in pending.ToArray())
                {
                    try
                    {
                        await table.ExistAsync(probes[partition], [], TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
                        pending.Remove(partition);
                    }
                    catch (PegasusException exception) when (exception.IsTransient || exception.Error == ErrorCode.Unknown)
                    {
                        lastFailure = $"partition {partition}: {exception.Message}";
                    }
                }

                return pending.Count == 0;
            },
            () => $"table {table.Name}: {pending.Count} partition(s) not served; last failure: {lastFailure}\n{Diagnostics()}",
            WaitTimeout);
    }

    /// <summary>The tail of every process's output, for failure messages.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        foreach (var meta in _metas)
        {
            text.Append("=== meta ").Append(meta.HttpAddress).Append(meta.HasExited ? " (exited)" : string.Empty).AppendLine(" ===").AppendLine(Tail(meta.Output));
        }

        foreach (var replica in _replicas)
        {
            text.Append("=== ").Append(replica).AppendLine(" ===").AppendLine(Tail(replica.Output));
        }

        text.AppendLine("=== zookeeper ===").AppendLine(ZooKeeper.ReadLogTail(20));
        return text.ToString();
    }

    /// <summary>Stops clients, replica servers, metas and ZooKeeper, each on its own, then deletes the data.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await Isolated(() => client.DisposeAsync().AsTask());
        }

        foreach (var replica in _replicas)
        {
            await Isolated(() => replica.DisposeAsync().AsTask());
        }

        foreach (var meta in _metas)
        {
            await Isolated(() => meta.DisposeAsync().AsTask());
        }

        await Isolated(() => ZooKeeper.DisposeAsync().AsTask());
        _http.Dispose();
        try
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary directory left behind harms no other test.
        }
    }

    private static async Task Isolated(Func<Task> dispose)
    {
        try
        {
            await dispose();
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Teardown goes on: one stuck process must not leak the others.
        }
    }

    private static string Tail(string output)
        => output.Length <= DiagnosticTailChars ? output : "…" + output[^DiagnosticTailChars..];

    private async Task StartProcessesAsync(string clusterName, int replicaCount, CancellationToken cancellationToken)
    {
        // Both metas start together; each reports healthy once connected to ZooKeeper (leader: state loaded).
        var starts = Enumerable.Range(0, 2).Select(index =>
        {
            var options = new MetaServerProcessOptions { DataDirectory = Path.Combine(RootDirectory, "meta-" + index), StartTimeout = WaitTimeout };
            options.Settings["Meta:StateStore"] = "ZooKeeper";
            options.Settings["Meta:ClusterName"] = clusterName;
            options.Settings["ZooKeeper:ConnectionString"] = ZooKeeper.ConnectionString;
            options.Settings["ZooKeeper:SessionTimeout"] = SessionTimeout.ToString("c", CultureInfo.InvariantCulture);
            return MetaServerProcess.StartAsync(options, cancellationToken);
        }).ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            _metas.AddRange(starts.Where(start => start.IsCompletedSuccessfully).Select(start => start.Result));
        }

        var metaServers = string.Join(',', MetaGrpcAddresses);
        var replicaStarts = Enumerable.Range(0, replicaCount)
            .Select(index => ReplicaServerProcess.StartAsync(
                metaServers,
                Path.Combine(RootDirectory, "replica-" + index),
                new Dictionary<string, string> { ["Replica:BeaconInterval"] = "00:00:00.250" },
                cancellationToken))
            .ToList();
        try
        {
            await Task.WhenAll(replicaStarts);
        }
        finally
        {
            _replicas.AddRange(replicaStarts.Where(start => start.IsCompletedSuccessfully).Select(start => start.Result));
        }

        await WaitForSingleLeaderAsync(WaitTimeout, cancellationToken);
        await WaitForReplicasAliveAsync(CreateClient(), cancellationToken);
    }
}
