using System.Text;
using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Hashing;

namespace Pegasus.Tests.Cluster;

/// <summary>How a <see cref="PegasusTestCluster"/> is started.</summary>
public sealed class PegasusTestClusterOptions
{
    /// <summary>Gets or sets how many replica servers to start.</summary>
    /// <value>Defaults to 3.</value>
    public int ReplicaCount { get; set; } = 3;

    /// <summary>Gets extra meta server configuration (<c>--Key=Value</c>).</summary>
    public Dictionary<string, string> MetaSettings { get; } = [];

    /// <summary>Gets extra replica server configuration (<c>--Key=Value</c>); a short beacon interval by default so new tables are served quickly.</summary>
    public Dictionary<string, string> ReplicaSettings { get; } = new() { ["Replica:BeaconInterval"] = "00:00:00.250" };

    /// <summary>Gets or sets the bound of every wait of the harness (start, beacons, tables served).</summary>
    /// <value>Defaults to 60 seconds: generous, since the machine may be busy with other builds.</value>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the default operation timeout of the clients the cluster creates.</summary>
    /// <value>Defaults to 15 seconds, for the same reason.</value>
    public TimeSpan ClientTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// One meta server (embedded state store) and N replica servers as real processes on free loopback
/// ports, each with its own directory under one temporary root that <see cref="DisposeAsync"/> deletes.
/// Replica servers can be killed, stopped and restarted on the same ports and data directories, and added.
/// Clients made by <see cref="CreateClient"/> are disposed with the cluster.
/// </summary>
public sealed class PegasusTestCluster : IAsyncDisposable
{
    private const int DiagnosticTailChars = 6 * 1024;

    private readonly PegasusTestClusterOptions _options;
    private readonly List<ReplicaServerProcess> _replicas = [];
    private readonly List<IAsyncDisposable> _clients = [];
    private readonly Lock _clientsLock = new();
    private MetaServerProcess? _meta;
    private PegasusClient? _client;

    private PegasusTestCluster(PegasusTestClusterOptions options, string rootDirectory)
    {
        _options = options;
        RootDirectory = rootDirectory;
    }

    /// <summary>Gets the temporary directory holding every server's data.</summary>
    public string RootDirectory { get; }

    /// <summary>Gets the meta server.</summary>
    public MetaServerProcess Meta => _meta ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>Gets the replica servers, by index.</summary>
    public IReadOnlyList<ReplicaServerProcess> Replicas => _replicas;

    /// <summary>Gets the meta servers' gRPC addresses (for <see cref="PegasusClientOptions.MetaServers"/>).</summary>
    public IReadOnlyList<string> MetaGrpcAddresses => [Meta.GrpcAddress.ToString().TrimEnd('/')];

    /// <summary>Gets the meta servers' admin HTTP addresses (for <see cref="PegasusClientOptions.MetaAdminAddresses"/>).</summary>
    public IReadOnlyList<string> MetaHttpAddresses => [Meta.HttpAddress.ToString().TrimEnd('/')];

    /// <summary>Gets the bound of the harness's waits.</summary>
    public TimeSpan WaitTimeout => _options.WaitTimeout;

    /// <summary>Starts the meta server, then every replica server, and waits until the meta sees all of them alive.</summary>
    /// <param name="options">How to start; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    /// <exception cref="InvalidOperationException">A process did not start; the message has its output.</exception>
    public static async Task<PegasusTestCluster> StartAsync(PegasusTestClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PegasusTestClusterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReplicaCount, 1);
        var root = Path.Combine(Path.GetTempPath(), "pegasus-cluster-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var cluster = new PegasusTestCluster(options, root);
        try
        {
            await cluster.StartProcessesAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            try
            {
                await cluster.DisposeAsync();
            }
            catch (AggregateException)
            {
                // The start failure (with the process output) is what the caller needs to see.
            }

            throw;
        }
    }

    /// <summary>Gets the cluster's default client (created on first use, disposed with the cluster).</summary>
    public PegasusClient Client
    {
        get
        {
            lock (_clientsLock)
            {
                if (_client is null)
                {
                    _client = new PegasusClient(NewClientOptions(null));
                    _clients.Add(_client);
                }

                return _client;
            }
        }
    }

    /// <summary>Creates a client of this cluster (data and admin addresses set), disposed with the cluster.</summary>
    /// <param name="configure">Changes to the default options.</param>
    /// <returns>The client.</returns>
    public PegasusClient CreateClient(Action<PegasusClientOptions>? configure = null)
    {
        var client = new PegasusClient(NewClientOptions(configure));
        lock (_clientsLock)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>Creates an admin client of this cluster's meta server, disposed with the cluster.</summary>
    /// <returns>The admin client.</returns>
    public PegasusAdminClient CreateAdminClient()
    {
        var admin = new PegasusAdminClient(NewClientOptions(null));
        lock (_clientsLock)
        {
            _clients.Add(new DisposableAdapter(admin));
        }

        return admin;
    }

    /// <summary>Creates a table and waits until every partition answers through the cluster's <see cref="Client"/>.</summary>
    /// <param name="name">A name no other test uses.</param>
    /// <param name="partitionCount">A power of two.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The table, opened with <see cref="Client"/>, with every partition served.</returns>
    public Task<PegasusTable> CreateTableAsync(string name, int partitionCount, CancellationToken cancellationToken = default)
        => CreateTableAsync(Client, name, partitionCount, cancellationToken);

    /// <summary>
    /// Creates a table (one replica per partition: the meta places primaries only) and waits until every
    /// partition answers through <paramref name="client"/>.
    /// </summary>
    /// <param name="client">The client to open the table with.</param>
    /// <param name="name">A name no other test uses.</param>
    /// <param name="partitionCount">A power of two.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The opened table, with every partition served.</returns>
    /// <param name="replicaCount">Copies per partition (1 unless the test is about replication).</param>
    public async Task<PegasusTable> CreateTableAsync(PegasusClient client, string name, int partitionCount, CancellationToken cancellationToken = default, int replicaCount = 1)
    {
        ArgumentNullException.ThrowIfNull(client);
        var info = await client.Admin.CreateTableAsync(name, partitionCount, replicaCount, cancellationToken);
        if (info.PartitionCount != partitionCount)
        {
            throw new InvalidOperationException($"Table '{name}' was created with {info.PartitionCount} partitions, not {partitionCount}.");
        }

        var table = await client.OpenTableAsync(name, cancellationToken);
        await WaitUntilServedAsync(table, cancellationToken);
        return table;
    }

    /// <summary>Waits until every partition of <paramref name="table"/> answers a read (bounded by <see cref="WaitTimeout"/>).</summary>
    /// <param name="table">The table.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes once every partition is served.</returns>
    public async Task WaitUntilServedAsync(PegasusTable table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var pending = new Queue<(int Partition, byte[] HashKey)>(ProbeKeys(table.PartitionCount).Select((key, index) => (index, key)));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.WaitTimeout);
        string? lastFailure = null;
        try
        {
            while (pending.TryPeek(out var probe))
            {
                try
                {
                    await table.ExistAsync(probe.HashKey, [], timeout: TimeSpan.FromSeconds(5), cancellationToken: deadline.Token);
                    pending.Dequeue();
                    continue;
                }
                catch (PegasusException ex) when (ex.IsTransient || ex.Error == ErrorCode.Unknown)
                {
                    // Not served yet (the replica server opens it at its next beacon): probe again.
                    lastFailure = $"partition {probe.Partition}: {ex.Message}";
                }

                // Polling interval of a bounded wait.
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Table '{table.Name}' was not served within {_options.WaitTimeout}; {pending.Count} partition(s) left; last failure: {lastFailure}\n{Diagnostics()}");
        }
    }

    /// <summary>One hash key per partition (index = partition) of a table with <paramref name="partitionCount"/> partitions.</summary>
    /// <param name="partitionCount">The partition count.</param>
    /// <param name="prefix">The hash keys' prefix.</param>
    /// <returns>The hash keys, by partition.</returns>
    public static byte[][] ProbeKeys(int partitionCount, string prefix = "probe-")
    {
        var keys = new byte[partitionCount][];
        var found = 0;
        for (var n = 0; found < partitionCount; n++)
        {
            var key = Encoding.UTF8.GetBytes(prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var partition = PartitionResolver.PartitionIndex(key, [], partitionCount);
            if (keys[partition] is null)
            {
                keys[partition] = key;
                found++;
            }
        }

        return keys;
    }

    /// <summary>Kills replica server <paramref name="index"/> at once (SIGKILL).</summary>
    /// <param name="index">The replica server's index.</param>
    public void KillReplica(int index) => _replicas[index].Kill();

    /// <summary>Stops replica server <paramref name="index"/> gracefully (SIGTERM); kills it if it does not stop in time.</summary>
    /// <param name="index">The replica server's index.</param>
    /// <returns>Whether it stopped on its own.</returns>
    public Task<bool> StopReplicaAsync(int index) => _replicas[index].StopAsync(_options.WaitTimeout);

    /// <summary>Starts replica server <paramref name="index"/> again on its ports and data directory and waits until the meta sees it alive.</summary>
    /// <param name="index">The replica server's index.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes once the meta counts it alive.</returns>
    public async Task RestartReplicaAsync(int index, CancellationToken cancellationToken = default)
    {
        await _replicas[index].RestartAsync(cancellationToken);
        await WaitForReplicasAliveAsync([_replicas[index]], cancellationToken);
    }

    /// <summary>
    /// Starts one more replica server (the next index, with the cluster's replica settings and its own empty data
    /// directory) and waits until the meta sees it alive.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The new server, also listed in <see cref="Replicas"/>.</returns>
    public async Task<ReplicaServerProcess> AddReplicaServerAsync(CancellationToken cancellationToken = default)
    {
        var index = _replicas.Count;
        var replica = await ReplicaServerProcess.StartAsync(
            MetaGrpcAddresses[0], Path.Combine(RootDirectory, "replica-" + index), _options.ReplicaSettings, cancellationToken);
        _replicas.Add(replica);
        await WaitForReplicasAliveAsync([replica], cancellationToken);
        return replica;
    }

    /// <summary>The tail of every process's output, for failure messages.</summary>
    /// <returns>The text.</returns>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        if (_meta is not null)
        {
            text.Append("=== meta ").Append(_meta.GrpcAddress).AppendLine(" ===").AppendLine(Tail(_meta.Output));
        }

        foreach (var replica in _replicas)
        {
            text.Append("=== ").Append(replica).AppendLine(" ===").AppendLine(Tail(replica.Output));
        }

        return text.ToString();
    }

    /// <summary>
    /// Disposes the clients, the replica servers and the meta server, each on its own so one failure does
    /// not leak the rest, then deletes the data; throws the failures, if any, at the end.
    /// </summary>
    /// <returns>A task that completes once everything is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        List<IAsyncDisposable> clients;
        lock (_clientsLock)
        {
            clients = [.. _clients];
            _clients.Clear();
        }

        foreach (var client in clients)
        {
            await DisposeIsolatedAsync(client, failures);
        }

        foreach (var replica in _replicas)
        {
            await DisposeIsolatedAsync(replica, failures);
        }

        if (_meta is not null)
        {
            await DisposeIsolatedAsync(_meta, failures);
        }

        try
        {
            if (Directory.Exists(RootDirectory))
            {
                Directory.Delete(RootDirectory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failures.Add(ex);
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("Disposing the test cluster failed.", failures);
        }
    }

    private static async Task DisposeIsolatedAsync(IAsyncDisposable disposable, List<Exception> failures)
    {
        try
        {
            await disposable.DisposeAsync();
        }
        catch (Exception ex)
        {
            failures.Add(ex);
        }
    }

    private static string Tail(string output)
        => output.Length <= DiagnosticTailChars ? output : "…" + output[^DiagnosticTailChars..];

    private async Task StartProcessesAsync(CancellationToken cancellationToken)
    {
        var metaOptions = new MetaServerProcessOptions
        {
            DataDirectory = Path.Combine(RootDirectory, "meta"),
            StartTimeout = _options.WaitTimeout,
        };
        metaOptions.Settings["Meta:StateStore"] = "Embedded";
        foreach (var (key, value) in _options.MetaSettings)
        {
            metaOptions.Settings[key] = value;
        }

        _meta = await MetaServerProcess.StartAsync(metaOptions, cancellationToken);

        // Started together: each process spends most of its start-up in the runtime, not in waiting for the others.
        var starts = Enumerable.Range(0, _options.ReplicaCount)
            .Select(index => ReplicaServerProcess.StartAsync(
                MetaGrpcAddresses[0], Path.Combine(RootDirectory, "replica-" + index), _options.ReplicaSettings, cancellationToken))
            .ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            // Keep every process that did start, so DisposeAsync stops it even when another one failed.
            foreach (var start in starts.Where(start => start.IsCompletedSuccessfully))
            {
                _replicas.Add(start.Result);
            }
        }

        await WaitForReplicasAliveAsync(_replicas, cancellationToken);
    }

    /// <summary>Polls the meta's <c>GET /v1/nodes</c> until every given replica server is listed alive.</summary>
    private async Task WaitForReplicasAliveAsync(IReadOnlyList<ReplicaServerProcess> replicas, CancellationToken cancellationToken)
    {
        using var admin = new PegasusAdminClient(NewClientOptions(options => options.AdminTimeout = TimeSpan.FromSeconds(10)));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.WaitTimeout);
        string lastSeen = "never listed";
        try
        {
            while (true)
            {
                try
                {
                    var nodes = await admin.ListNodesAsync(deadline.Token);
                    lastSeen = string.Join(", ", nodes.Select(node => $"{node.Address}:{(node.Alive ? "alive" : "dead")}"));
                    var alive = nodes.Where(node => node.Alive).Select(node => node.Address.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    if (replicas.All(replica => alive.Contains(replica.GrpcAddress)))
                    {
                        return;
                    }
                }
                catch (PegasusException ex) when (ex.Error == ErrorCode.Timeout)
                {
                    lastSeen = ex.Message;
                }

                if (replicas.FirstOrDefault(replica => !replica.IsRunning) is { } exited)
                {
                    throw new InvalidOperationException($"{exited} exited before the meta server saw it alive.\n{Diagnostics()}");
                }

                // Polling interval of a bounded wait.
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"The meta server did not list {string.Join(", ", replicas.Select(r => r.GrpcAddress))} alive within {_options.WaitTimeout} (last: {lastSeen}).\n{Diagnostics()}");
        }
    }

    private PegasusClientOptions NewClientOptions(Action<PegasusClientOptions>? configure)
    {
        var options = new PegasusClientOptions
        {
            MetaServers = [.. MetaGrpcAddresses],
            MetaAdminAddresses = [.. MetaHttpAddresses],
            DefaultTimeout = _options.ClientTimeout,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Lets the synchronous admin client sit in the list of things to dispose.</summary>
    private sealed class DisposableAdapter(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
