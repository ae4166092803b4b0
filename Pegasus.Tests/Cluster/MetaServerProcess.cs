namespace Pegasus.Tests.Cluster;

/// <summary>How to start a <see cref="MetaServerProcess"/>.</summary>
public sealed class MetaServerProcessOptions
{
    /// <summary>Gets or sets the data directory; null = a fresh temporary directory, deleted on dispose.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Gets or sets the gRPC port; null = a free loopback port.</summary>
    public int? GrpcPort { get; set; }

    /// <summary>Gets or sets the admin HTTP port; null = a free loopback port.</summary>
    public int? HttpPort { get; set; }

    /// <summary>Gets extra configuration passed as <c>--Key=Value</c> (e.g. <c>Meta:ReplicaGracePeriod</c>).</summary>
    public Dictionary<string, string> Settings { get; } = [];

    /// <summary>Gets or sets how long to wait for <c>/health</c> to answer 200.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets whether to wait for <c>/health</c> at all (off for processes expected to fail).</summary>
    public bool WaitForHealthy { get; set; } = true;
}

/// <summary>
/// A real meta server process (<c>dotnet Pegasus.Meta.dll</c>) on loopback ports, for tests.
/// Output (stdout and stderr) is captured for failure messages. Cluster harnesses reuse it: start, <see cref="Kill"/> (SIGKILL), <see cref="StopAsync"/> (SIGTERM,
/// then kill), <see cref="RestartAsync"/> on the same ports and data.
/// </summary>
public sealed class MetaServerProcess : IAsyncDisposable
{
    private readonly MetaServerProcessOptions _options;
    private readonly bool _ownsDataDirectory;
    private readonly ServerProcess _server;

    private MetaServerProcess(MetaServerProcessOptions options, string dataDirectory, bool ownsDataDirectory, int grpcPort, int httpPort)
    {
        _options = options;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        _server = new ServerProcess("Pegasus.Meta", $"The meta server {HttpAddress}");
    }

    /// <summary>Gets the gRPC port.</summary>
    public int GrpcPort { get; }

    /// <summary>Gets the admin HTTP port.</summary>
    public int HttpPort { get; }

    /// <summary>Gets the data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>Gets the gRPC address, <c>http://127.0.0.1:&lt;grpc port&gt;</c>.</summary>
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    /// <summary>Gets the admin address, <c>http://127.0.0.1:&lt;http port&gt;</c>.</summary>
    public Uri HttpAddress => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>Gets whether the current process has exited (true when none was started, and after dispose).</summary>
    public bool HasExited => _server.HasExited;

    /// <summary>Gets the exit code of the current process, or null while it runs.</summary>
    public int? ExitCode => _server.ExitCode;

    /// <summary>Gets everything the process(es) wrote so far, tagged by stream.</summary>
    public string Output => _server.Output;

    /// <summary>Starts a meta server and waits until <c>/health</c> answers 200 (unless told not to).</summary>
    /// <param name="options">How to start it; null = defaults (temp data, free ports).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running process.</returns>
    public static async Task<MetaServerProcess> StartAsync(MetaServerProcessOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MetaServerProcessOptions();
        var owns = options.DataDirectory is null;
        var dataDirectory = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "pegasus-meta-" + Guid.NewGuid().ToString("N"));
        var server = new MetaServerProcess(
            options, dataDirectory, owns, options.GrpcPort ?? GetFreeTcpPort(), options.HttpPort ?? GetFreeTcpPort());
        try
        {
            await server.LaunchAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process again on the same ports and data directory (after a stop or kill).</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes once healthy.</returns>
    public Task RestartAsync(CancellationToken cancellationToken = default) => LaunchAsync(cancellationToken);

    /// <summary>Kills the process at once (SIGKILL), like a crash, and waits for it to exit.</summary>
    public void Kill() => _server.Kill();

    /// <summary>Asks the process to shut down (SIGTERM) and kills it if it has not exited within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait for a graceful exit; default 15 s.</param>
    /// <returns>A task that completes once the process has exited.</returns>
    public Task StopAsync(TimeSpan? timeout = null) => _server.StopAsync(timeout ?? TimeSpan.FromSeconds(15));

    /// <summary>Kills the process if it still runs and deletes the data directory if this harness created it.</summary>
    /// <returns>A task that completes once cleaned up.</returns>
    public ValueTask DisposeAsync()
    {
        _server.Dispose();
        if (_ownsDataDirectory)
        {
            ServerProcess.DeleteDirectory(DataDirectory);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Finds a server's entry assembly: its own build output beside this test project, else a copy next to the tests.</summary>
    /// <param name="projectName">The project (and assembly) name, e.g. <c>Pegasus.Meta</c>.</param>
    /// <returns>The full path of the assembly.</returns>
    public static string LocateAssembly(string projectName = "Pegasus.Meta") => ServerProcess.LocateAssembly(projectName);

    /// <summary>A TCP port free on loopback right now (the OS picks it).</summary>
    /// <returns>The port.</returns>
    public static int GetFreeTcpPort() => ServerProcess.GetFreeTcpPort();

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var configuration = ServerProcess.BaseConfiguration(GrpcPort, HttpPort);
        configuration["Meta:DataDirectory"] = DataDirectory;
        foreach (var (key, value) in _options.Settings)
        {
            configuration[key] = value;
        }

        _server.Launch(configuration);
        if (_options.WaitForHealthy)
        {
            await _server.WaitForSuccessAsync(HttpAddress, "/health", _options.StartTimeout, cancellationToken);
        }
    }
}
