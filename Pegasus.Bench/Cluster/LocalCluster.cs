using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pegasus.Bench.Cluster;

/// <summary>
/// A throw-away cluster for <c>--cluster local</c>: one meta server in embedded single-meta mode and N replica
/// servers, as real processes of the built <c>Pegasus.Meta.dll</c> / <c>Pegasus.Replica.dll</c>, on free loopback
/// ports, with data under one temporary directory. <see cref="DisposeAsync"/> kills them all and deletes the data;
/// a process-exit hook does the same if the bench is stopped before it gets there.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<LocalServerProcess> _servers = [];
    private readonly string _root;
    private int _disposed;

    private LocalCluster(string root)
    {
        _root = root;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Gets the meta server's gRPC address.</summary>
    public string MetaGrpcAddress { get; private set; } = "";

    /// <summary>Gets the meta server's admin HTTP address.</summary>
    public string MetaHttpAddress { get; private set; } = "";

    /// <summary>Gets the server assemblies' directory, to report which build ran.</summary>
    public string ServerBuild { get; private set; } = "";

    /// <summary>Starts the meta server, then the replica servers, and waits until each reports healthy.</summary>
    /// <param name="replicaServers">How many replica servers.</param>
    /// <param name="timeout">The bound of each wait.</param>
    /// <param name="log">Where progress goes.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    /// <exception cref="InvalidOperationException">A server did not start; the message has its output.</exception>
    /// <exception cref="FileNotFoundException">The server assemblies are not built.</exception>
    public static async Task<LocalCluster> StartAsync(int replicaServers, TimeSpan timeout, TextWriter log, CancellationToken cancellationToken)
    {
        var metaAssembly = ServerAssemblies.Locate("Pegasus.Meta");
        var replicaAssembly = ServerAssemblies.Locate("Pegasus.Replica");
        var root = Path.Combine(Path.GetTempPath(), "pegasus-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var cluster = new LocalCluster(root) { ServerBuild = Path.GetDirectoryName(metaAssembly)! };
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var (metaGrpc, metaHttp) = (FreePort(), FreePort());
            cluster.MetaGrpcAddress = $"http://127.0.0.1:{metaGrpc}";
            cluster.MetaHttpAddress = $"http://127.0.0.1:{metaHttp}";
            var metaConfig = BaseConfiguration(metaGrpc, metaHttp);
            metaConfig["Meta:StateStore"] = "Embedded";
            metaConfig["Meta:DataDirectory"] = Path.Combine(root, "meta");
            var meta = cluster.Add(LocalServerProcess.Start("meta", metaAssembly, metaConfig));
            await meta.WaitForSuccessAsync(http, cluster.MetaHttpAddress + "/health", timeout, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"cluster: meta (embedded state) at {cluster.MetaGrpcAddress}, admin {cluster.MetaHttpAddress}");

            var replicas = new List<(LocalServerProcess Server, string Health)>();
            for (var i = 0; i < replicaServers; i++)
            {
                var (grpc, httpPort) = (FreePort(), FreePort());
                var config = BaseConfiguration(grpc, httpPort);
                config["Replica:DataDirectory"] = Path.Combine(root, $"replica-{i}");
                config["Replica:MetaServers"] = cluster.MetaGrpcAddress;

                // Replica servers open newly placed partitions at their next beacon: a short interval makes the table serve sooner.
                config["Replica:BeaconInterval"] = "00:00:00.250";
                replicas.Add((cluster.Add(LocalServerProcess.Start($"replica-{i}", replicaAssembly, config)), $"http://127.0.0.1:{httpPort}/health"));
            }

            // A replica server's /health turns healthy once the meta leader has registered it.
            foreach (var (server, health) in replicas)
            {
                await server.WaitForSuccessAsync(http, health, timeout, cancellationToken).ConfigureAwait(false);
            }

            log.WriteLine($"cluster: {replicaServers} replica servers healthy; server build {cluster.ServerBuild}; data in {root}");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills every server and deletes the data directory.</summary>
    /// <returns>A task that completes when everything is gone.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;

        // Replica servers first, so none is left beaconing a meta that is gone.
        for (var i = _servers.Count - 1; i >= 0; i--)
        {
            _servers[i].Dispose();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not delete {_root}: {ex.Message}");
        }

        return ValueTask.CompletedTask;
    }

    private LocalServerProcess Add(LocalServerProcess server)
    {
        _servers.Add(server);
        return server;
    }

    private void OnProcessExit(object? sender, EventArgs e) => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static Dictionary<string, string> BaseConfiguration(int grpcPort, int httpPort) => new()
    {
        ["Ports:Grpc"] = grpcPort.ToString(CultureInfo.InvariantCulture),
        ["Ports:Http"] = httpPort.ToString(CultureInfo.InvariantCulture),
        ["Ports:BindAddress"] = "127.0.0.1",

        // Informational logs to the console would cost CPU the measured path shares.
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private static int FreePort()
    {
        // The OS picks a free port; a race with another process taking it before the server binds shows as a failed start.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
