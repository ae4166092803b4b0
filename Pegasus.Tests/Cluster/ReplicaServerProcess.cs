using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

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

    private const int MaxOutputChars = 256 * 1024;
    private const int PortAttempts = 3;

    private readonly Lock _outputLock = new();
    private readonly StringBuilder _output = new();
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly bool _ownsDataDirectory;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;

    private ReplicaServerProcess(
        string metaServers, string dataDirectory, bool ownsDataDirectory, IReadOnlyDictionary<string, string> settings)
    {
        MetaServers = metaServers;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        _settings = settings;
        (GrpcPort, HttpPort) = (GetFreePort(), GetFreePort());
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

    /// <summary>Gets a value indicating whether the process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Gets the captured console output of every run so far (the latest part if it is long).</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

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
                server.KillIfRunning();
                server._http.Dispose();
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
    /// <exception cref="InvalidOperationException">The server is running, exited, or was not alive in time.</exception>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The replica server is still running.");
        }

        _process?.Dispose();
        _process = Launch();
        await WaitUntilAsync("/alive", DefaultStartTimeout, cancellationToken);
    }

    /// <summary>Waits until <c>/health</c> reports healthy, i.e. the server registered with the meta leader.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes once the server is healthy.</returns>
    public Task WaitForHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAsync("/health", timeout, cancellationToken);

    /// <summary>Gets the HTTP status of <c>/health</c> now.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The status code.</returns>
    public async Task<HttpStatusCode> GetHealthStatusAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri(HttpAddress + "/health"), cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Kills the process at once (SIGKILL, like <c>kill -9</c>) and waits until it is gone.</summary>
    public void Kill()
    {
        if (_process is null)
        {
            throw new InvalidOperationException("The replica server was never started.");
        }

        KillIfRunning();
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits; kills it if it has not exited in time.</summary>
    /// <param name="timeout">How long a graceful stop may take.</param>
    /// <returns>Whether the process stopped on its own.</returns>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_process is not { HasExited: false } process)
        {
            return true;
        }

        if (!SendTerminate(process.Id))
        {
            KillIfRunning();
            return false;
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            KillIfRunning();
            return false;
        }
    }

    /// <summary>Kills the process if it runs and deletes the data directory if this launcher made it.</summary>
    /// <returns>A task that completes when done.</returns>
    public ValueTask DisposeAsync()
    {
        KillIfRunning();
        _process?.Dispose();
        _http.Dispose();
        if (_ownsDataDirectory && Directory.Exists(DataDirectory))
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp directory left behind does not affect other tests.
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"replica {GrpcAddress} (data {DataDirectory})";

    private Process Launch()
    {
        var assembly = FindServerAssembly("Pegasus.Replica");
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(assembly);
        var configuration = new Dictionary<string, string>
        {
            ["Ports:Grpc"] = GrpcPort.ToString(CultureInfo.InvariantCulture),
            ["Ports:Http"] = HttpPort.ToString(CultureInfo.InvariantCulture),
            ["Ports:BindAddress"] = "127.0.0.1",
            ["Replica:DataDirectory"] = DataDirectory,
            ["Replica:MetaServers"] = MetaServers,
            ["Logging:LogLevel:Pegasus"] = "Debug",
        };
        foreach (var (key, value) in _settings)
        {
            configuration[key] = value;
        }

        foreach (var (key, value) in configuration)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        // Several servers share a small machine: workstation GC keeps each one's memory small.
        startInfo.Environment["DOTNET_gcServer"] = "0";
        startInfo.Environment.Remove("ASPNETCORE_URLS");

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => AppendOutput(e.Data);
        process.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        AppendOutput($"=== starting {this} ===");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var process = _process ?? throw new InvalidOperationException("The replica server was never started.");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var uri = new Uri(HttpAddress + path);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"{this} exited with code {process.ExitCode} while waiting for {path}. Output:\n{Output}");
            }

            try
            {
                using var response = await _http.GetAsync(uri, deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                // Polling interval of a bounded wait, not a synchronization point.
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        throw new InvalidOperationException($"{this} did not answer {path} with success within {timeout}. Output:\n{Output}");
    }

    private void KillIfRunning()
    {
        if (_process is { HasExited: false } process)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }

            process.WaitForExit();
        }
    }

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.AppendLine(line);
            if (_output.Length > MaxOutputChars)
            {
                _output.Remove(0, _output.Length - (MaxOutputChars / 2));
            }
        }
    }

    /// <summary>
    /// Finds <c>&lt;project&gt;.dll</c> in the project's own output (<c>&lt;repo&gt;/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>,
    /// matching the test assembly's configuration and framework), else the copy beside the tests.
    /// </summary>
    /// <param name="project">The project (and assembly) name, e.g. <c>Pegasus.Replica</c>.</param>
    /// <returns>The assembly's full path.</returns>
    public static string FindServerAssembly(string project)
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testDirectory.Name;
        var configuration = testDirectory.Parent?.Name ?? "Debug";
        for (var directory = testDirectory; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, project, "bin", configuration, framework, project + ".dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var beside = Path.Combine(AppContext.BaseDirectory, project + ".dll");
        return File.Exists(beside)
            ? beside
            : throw new FileNotFoundException($"{project}.dll was not found; build {project} ({configuration}) first.");
    }

    private static string DotnetHost()
    {
        // Set by the dotnet CLI for the processes it starts (dotnet test, dotnet run).
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        return Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet"))
            ? Path.Combine(root, "dotnet")
            : "dotnet";
    }

    private static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool SendTerminate(int pid)
    {
        // SIGTERM makes the host stop gracefully (closing replicas); `kill` keeps this free of interop.
        using var kill = Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { "-TERM", pid.ToString(CultureInfo.InvariantCulture) },
            UseShellExecute = false,
        });
        if (kill is null)
        {
            return false;
        }

        kill.WaitForExit();
        return kill.ExitCode == 0;
    }
}
