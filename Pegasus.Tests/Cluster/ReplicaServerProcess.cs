using System.Globalization;
using System.Net;

namespace Pegasus.Tests.Cluster;

/// <summary>
/// A real Pegasus.Replica process (<c>dotnet Pegasus.Replica.dll</c>) on free loopback ports with
/// its own data directory. It can be killed (<c>kill -9</c>), stopped gracefully (SIGTERM) and
/// restarted on the same ports and data directory. Its console output is captured for failure
/// messages (<see cref="Output"/>).
/// </summary>
public sealed class ReplicaServerProcess : IAsyncDisposable
{
    /// <summary>How long a start waits for <c>/alive</c> by default.</summary>
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);

    private const int PortAttempts = 3;

    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly bool _ownsDataDirectory;
    private readonly ServerProcess _server;

    private ReplicaServerProcess(
        string metaServers, string dataDirectory, bool ownsDataDirectory, IReadOnlyDictionary<string, string> settings)
    {
        MetaServers = metaServers;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        _settings = settings;
        (GrpcPort, HttpPort) = (ServerProcess.GetFreeTcpPort(), ServerProcess.GetFreeTcpPort());
        _server = new ServerProcess("Pegasus.Replica", ToString());
    }

    /// <summary>Gets the meta servers the replica beacons (comma-separated gRPC addresses).</summary>
    public string MetaServers { get; }

    /// <summary>Gets the replica's data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>Gets the gRPC (data path) port.</summary>
    public int GrpcPort { get; }

    /// <summary>Gets the HTTP (health) port.</summary>
    public int HttpPort { get; }

    /// <summary>Gets the gRPC address, which is also the node's identity (its advertised address).</summary>
    public string GrpcAddress => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{GrpcPort}");

    /// <summary>Gets the HTTP address of <c>/health</c> and <c>/alive</c>.</summary>
    public string HttpAddress => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{HttpPort}");

    /// <summary>Gets a value indicating whether the process is running (false after dispose).</summary>
    public bool IsRunning => !_server.HasExited;

    /// <summary>Gets the captured console output of every run so far (the latest part if it is long).</summary>
    public string Output => _server.Output;

    /// <summary>Starts a replica server and waits until it answers <c>/alive</c>.</summary>
    /// <param name="metaServers">Comma-separated meta gRPC addresses (<c>Replica:MetaServers</c>).</param>
    /// <param name="dataDirectory">The data directory; null makes a temporary one that <see cref="DisposeAsync"/> deletes.</param>
    /// <param name="settings">More configuration, as <c>key</c> (e.g. <c>Replica:BeaconInterval</c>) to value.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static async Task<ReplicaServerProcess> StartAsync(
        string metaServers,
        string? dataDirectory = null,
        IReadOnlyDictionary<string, string>? settings = null,
        CancellationToken cancellationToken = default)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "pegasus-replica-" + Guid.NewGuid().ToString("N"));
        for (var attempt = 1; ; attempt++)
        {
            var server = new ReplicaServerProcess(metaServers, dataDirectory, owns, settings ?? new Dictionary<string, string>());
            try
            {
                await server.RestartAsync(cancellationToken);
                return server;
            }
            catch (InvalidOperationException) when (attempt < PortAttempts && server.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another process took a port between our probe and the server's bind; the data
                // directory is kept for the next attempt.
                server._server.Dispose();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Starts the process again on the same ports and data directory and waits for <c>/alive</c>.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes once the server is alive.</returns>
    /// <exception cref="InvalidOperationException">The server is running, or exited before it was alive.</exception>
    /// <exception cref="TimeoutException">The server was not alive in time.</exception>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var configuration = ServerProcess.BaseConfiguration(GrpcPort, HttpPort);
        configuration["Replica:DataDirectory"] = DataDirectory;
        configuration["Replica:MetaServers"] = MetaServers;
        configuration["Logging:LogLevel:Pegasus"] = "Debug";
        foreach (var (key, value) in _settings)
        {
            configuration[key] = value;
        }

        _server.Launch(configuration);
        await _server.WaitForSuccessAsync(new Uri(HttpAddress), "/alive", DefaultStartTimeout, cancellationToken);
    }

    /// <summary>Waits until <c>/health</c> reports healthy, i.e. the server registered with the meta leader.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes once the server is healthy.</returns>
    public Task WaitForHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _server.WaitForSuccessAsync(new Uri(HttpAddress), "/health", timeout, cancellationToken);

    /// <summary>Gets the HTTP status of <c>/health</c> now.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The status code.</returns>
    public Task<HttpStatusCode> GetHealthStatusAsync(CancellationToken cancellationToken = default) =>
        _server.GetStatusAsync(new Uri(HttpAddress + "/health"), cancellationToken);

    /// <summary>Kills the process at once (SIGKILL, like <c>kill -9</c>) and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_server.HasStarted)
        {
            throw new InvalidOperationException("The replica server was never started.");
        }

        _server.Kill();
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits; kills it if it has not exited in time.</summary>
    /// <param name="timeout">How long a graceful stop may take.</param>
    /// <returns>Whether the process stopped on its own.</returns>
    public Task<bool> StopAsync(TimeSpan timeout) => _server.StopAsync(timeout);

    /// <summary>Kills the process if it runs and deletes the data directory if this launcher made it.</summary>
    /// <returns>A task that completes when done.</returns>
    public ValueTask DisposeAsync()
    {
        _server.Dispose();
        if (_ownsDataDirectory)
        {
            ServerProcess.DeleteDirectory(DataDirectory);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"replica {GrpcAddress} (data {DataDirectory})";

    /// <summary>
    /// Finds <c>&lt;project&gt;.dll</c> in the project's own output (<c>&lt;repo&gt;/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>,
    /// matching the test assembly's configuration and framework), else the copy beside the tests.
    /// </summary>
    /// <param name="project">The project (and assembly) name, e.g. <c>Pegasus.Replica</c>.</param>
    /// <returns>The assembly's full path.</returns>
    public static string FindServerAssembly(string project) => ServerProcess.LocateAssembly(project);
}
