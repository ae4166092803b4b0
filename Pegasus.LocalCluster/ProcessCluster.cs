using System.Globalization;

namespace Pegasus.LocalCluster;

/// <summary>
/// A throw-away local cluster: one meta server in embedded single-meta mode and N replica servers, as real processes
/// of the built <c>Pegasus.Meta.dll</c> / <c>Pegasus.Replica.dll</c>, on free loopback ports, with data under one
/// temporary directory. Servers can be killed (<c>kill -9</c>), paused (SIGSTOP), resumed, and restarted on the same
/// ports and data directories; with <see cref="ProcessClusterOptions.Proxies"/> each replica server's links can be cut.
/// <see cref="DisposeAsync"/> kills everything and deletes the data; a process-exit hook does the same if the tool is
/// stopped before it gets there.
/// </summary>
/// <remarks>
/// Not thread-safe: one caller (a nemesis, a test) drives the faults. Progress goes to the writer given to
/// <see cref="StartAsync(ProcessClusterOptions, TextWriter, CancellationToken)"/>, which must be safe to use from the
/// caller's threads (e.g. <see cref="TextWriter.Synchronized"/>).
/// </remarks>
public sealed partial class ProcessCluster : IAsyncDisposable
{
    private const string DefaultLogLevel = "Warning";

    private readonly ProcessClusterOptions _options;
    private readonly List<ReplicaServerNode> _replicas = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly TextWriter _log;
    private LocalServerProcess? _meta;
    private int _disposed;

    private ProcessCluster(ProcessClusterOptions options, string root, TextWriter log)
    {
        _options = options;
        RootDirectory = root;
        KeepData = options.KeepData;
        KeepLogs = options.KeepLogs;
        _log = log;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Gets the meta server's gRPC address.</summary>
    public string MetaGrpcAddress { get; private set; } = "";

    /// <summary>Gets the meta server's admin HTTP address.</summary>
    public string MetaHttpAddress { get; private set; } = "";

    /// <summary>Gets the server assemblies' directory, to report which build ran.</summary>
    public string ServerBuild { get; private set; } = "";

    /// <summary>Gets the directory holding every server's data (and logs).</summary>
    public string RootDirectory { get; }

    /// <summary>Gets or sets a value indicating whether <see cref="DisposeAsync"/> keeps the data and logs (e.g. to look at a failed run).</summary>
    public bool KeepData { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="DisposeAsync"/> keeps the server logs (<c>&lt;root&gt;/logs</c>)
    /// when it deletes the data: a few hundred kilobytes rather than the servers' preallocated files.
    /// </summary>
    public bool KeepLogs { get; set; }

    /// <summary>Gets the meta server's process.</summary>
    public LocalServerProcess Meta => _meta ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>Gets the replica servers, by index.</summary>
    public IReadOnlyList<ReplicaServerNode> Replicas => _replicas;

    /// <summary>Starts a cluster of <paramref name="replicaServers"/> replica servers with default options (the benchmark's cluster).</summary>
    /// <param name="replicaServers">How many replica servers.</param>
    /// <param name="timeout">The bound of each wait.</param>
    /// <param name="log">Where progress goes.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    /// <exception cref="InvalidOperationException">A server did not start; the message has its output.</exception>
    /// <exception cref="FileNotFoundException">The server assemblies are not built.</exception>
    public static Task<ProcessCluster> StartAsync(int replicaServers, TimeSpan timeout, TextWriter log, CancellationToken cancellationToken)
        => StartAsync(new ProcessClusterOptions { ReplicaServers = replicaServers, StartTimeout = timeout }, log, cancellationToken);

    /// <summary>Starts the meta server, then the replica servers, and waits until each reports healthy (registered with the meta).</summary>
    /// <param name="options">What to start.</param>
    /// <param name="log">Where progress goes.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    /// <exception cref="InvalidOperationException">A server did not start; the message has its output.</exception>
    /// <exception cref="FileNotFoundException">The server assemblies are not built.</exception>
    public static async Task<ProcessCluster> StartAsync(ProcessClusterOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReplicaServers, 1);
        var metaAssembly = ServerAssemblies.Locate("Pegasus.Meta");
        var replicaAssembly = ServerAssemblies.Locate("Pegasus.Replica");
        var root = Path.Combine(Path.GetTempPath(), options.DirectoryPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        if (options.LogFiles)
        {
            Directory.CreateDirectory(Path.Combine(root, "logs"));
        }

        var cluster = new ProcessCluster(options, root, log) { ServerBuild = Path.GetDirectoryName(metaAssembly)! };
        try
        {
            await cluster.StartMetaAsync(metaAssembly, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < options.ReplicaServers; i++)
            {
                cluster.LaunchReplica(i, replicaAssembly);
            }

            // A replica server's /health turns healthy once the meta leader has registered it.
            foreach (var replica in cluster._replicas)
            {
                await cluster.WaitForReplicaAsync(replica, cancellationToken).ConfigureAwait(false);
            }

            log.WriteLine($"cluster: {options.ReplicaServers} replica servers healthy{(options.Proxies ? " (behind proxies)" : "")}; server build {cluster.ServerBuild}; data in {root}");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Finds the replica server that advertises <paramref name="address"/> (or listens on it directly).</summary>
    /// <param name="address">An address from a routing table or the admin API.</param>
    /// <returns>The server, or null.</returns>
    public ReplicaServerNode? FindReplica(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }

        var normalized = address.Trim().TrimEnd('/');
        return _replicas.FirstOrDefault(r => string.Equals(r.Address, normalized, StringComparison.OrdinalIgnoreCase)
            || string.Equals(r.DirectAddress, normalized, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Kills every server, stops the proxies and deletes the data directory (unless <see cref="KeepData"/>; all but the logs with <see cref="KeepLogs"/>).</summary>
    /// <returns>A task that completes when everything is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;

        // Replica servers first, so none is left beaconing a meta that is gone.
        foreach (var replica in _replicas)
        {
            replica.Process?.Dispose();
        }

        _meta?.Dispose();
        foreach (var replica in _replicas)
        {
            if (replica.DataProxy is { } data)
            {
                await data.DisposeAsync().ConfigureAwait(false);
            }

            if (replica.MetaProxy is { } meta)
            {
                await meta.DisposeAsync().ConfigureAwait(false);
            }
        }

        _http.Dispose();
        if (KeepData)
        {
            return;
        }

        var logs = Path.Combine(RootDirectory, "logs");
        var keepLogs = KeepLogs && Directory.Exists(logs);
        try
        {
            if (!keepLogs)
            {
                Directory.Delete(RootDirectory, recursive: true);
                return;
            }

            foreach (var entry in new DirectoryInfo(RootDirectory).EnumerateFileSystemInfos())
            {
                if (entry.FullName != logs)
                {
                    (entry as DirectoryInfo)?.Delete(recursive: true);
                    (entry as FileInfo)?.Delete();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not delete {RootDirectory}: {ex.Message}");
        }
    }

    private async Task StartMetaAsync(string assembly, CancellationToken cancellationToken)
    {
        var (grpc, http) = (LoopbackPortAllocator.AllocateOne(), LoopbackPortAllocator.AllocateOne());
        MetaGrpcAddress = Loopback(grpc);
        MetaHttpAddress = Loopback(http);
        var config = BaseConfiguration(grpc, http);
        config["Meta:StateStore"] = "Embedded";
        config["Meta:DataDirectory"] = Path.Combine(RootDirectory, "meta");
        Overlay(config, _options.MetaSettings);
        _meta = LocalServerProcess.Start("meta", assembly, config, _options.Environment, LogFile("meta"));
        await _meta.WaitForSuccessAsync(_http, MetaHttpAddress + "/health", _options.StartTimeout, cancellationToken).ConfigureAwait(false);
        _log.WriteLine($"cluster: meta (embedded state) at {MetaGrpcAddress}, admin {MetaHttpAddress}");
    }

    private void LaunchReplica(int index, string assembly)
    {
        var (grpc, http) = (LoopbackPortAllocator.AllocateOne(), LoopbackPortAllocator.AllocateOne());
        TcpProxy? dataProxy = null;
        TcpProxy? metaProxy = null;
        if (_options.Proxies)
        {
            dataProxy = TcpProxy.Start(LoopbackPortAllocator.AllocateOne(), grpc);
            metaProxy = TcpProxy.Start(LoopbackPortAllocator.AllocateOne(), new Uri(MetaGrpcAddress).Port);
        }

        var replica = new ReplicaServerNode(index, grpc, http, Path.Combine(RootDirectory, $"replica-{index}"), dataProxy, metaProxy);
        _replicas.Add(replica);
        var config = BaseConfiguration(grpc, http);
        config["Replica:DataDirectory"] = replica.DataDirectory;
        config["Replica:MetaServers"] = metaProxy?.Address ?? MetaGrpcAddress;
        config["Replica:AdvertisedAddress"] = replica.Address;

        // Replica servers open newly placed partitions at their next beacon: a short interval makes a table serve sooner.
        config["Replica:BeaconInterval"] = "00:00:00.250";
        Overlay(config, _options.ReplicaSettings);
        replica.Process = LocalServerProcess.Start(replica.Name, assembly, config, _options.Environment, LogFile(replica.Name));
    }

    private async Task WaitForReplicaAsync(ReplicaServerNode replica, CancellationToken cancellationToken)
    {
        // /health needs the meta leader's registration; without a meta the best there is, is /alive.
        var path = _meta is { IsRunning: true, IsPaused: false } && !replica.IsIsolated ? "/health" : "/alive";
        await replica.Process.WaitForSuccessAsync(_http, replica.HttpAddress + path, _options.StartTimeout, cancellationToken).ConfigureAwait(false);
    }

    private string? LogFile(string name) => _options.LogFiles ? Path.Combine(RootDirectory, "logs", name + ".log") : null;

    private void OnProcessExit(object? sender, EventArgs e) => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static string Loopback(int port) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");

    private static void Overlay(Dictionary<string, string> configuration, IReadOnlyDictionary<string, string> settings)
    {
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }
    }

    private static Dictionary<string, string> BaseConfiguration(int grpcPort, int httpPort) => new()
    {
        ["Ports:Grpc"] = grpcPort.ToString(CultureInfo.InvariantCulture),
        ["Ports:Http"] = httpPort.ToString(CultureInfo.InvariantCulture),
        ["Ports:BindAddress"] = "127.0.0.1",

        // Informational logs to the console cost CPU the servers share with the tool; settings may raise it.
        ["Logging:LogLevel:Default"] = DefaultLogLevel,
    };
}
