using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

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
/// Output (stdout and stderr) is captured for failure messages. Self-contained so cluster
/// harnesses can reuse it: start, <see cref="Kill"/> (SIGKILL), <see cref="StopAsync"/> (SIGTERM,
/// then kill), <see cref="RestartAsync"/> on the same ports and data.
/// </summary>
public sealed class MetaServerProcess : IAsyncDisposable
{
    private const int MaxCapturedChars = 256 * 1024;
    private const int Sigterm = 15;

    private readonly MetaServerProcessOptions _options;
    private readonly bool _ownsDataDirectory;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();
    private Process? _process;

    private MetaServerProcess(MetaServerProcessOptions options, string dataDirectory, bool ownsDataDirectory, int grpcPort, int httpPort)
    {
        _options = options;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
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

    /// <summary>Gets whether the current process has exited (true when none was started).</summary>
    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>Gets the exit code of the current process, or null while it runs.</summary>
    public int? ExitCode => _process is { HasExited: true } process ? process.ExitCode : null;

    /// <summary>Gets everything the process(es) wrote so far, tagged by stream.</summary>
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
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (!HasExited)
        {
            throw new InvalidOperationException("The meta server is still running; stop or kill it first.");
        }

        await LaunchAsync(cancellationToken);
    }

    /// <summary>Kills the process at once (SIGKILL), like a crash, and waits for it to exit.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>Asks the process to shut down (SIGTERM) and kills it if it has not exited within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait for a graceful exit; default 15 s.</param>
    /// <returns>A task that completes once the process has exited.</returns>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        if (OperatingSystem.IsWindows() || SendSignal(process.Id, Sigterm) != 0)
        {
            Kill();
            return;
        }

        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            AppendOutput("harness", "graceful stop timed out; killing");
            Kill();
        }
    }

    /// <summary>Kills the process if it still runs and deletes the data directory if this harness created it.</summary>
    /// <returns>A task that completes once cleaned up.</returns>
    public ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // The process exited between the check and the kill.
        }

        _process?.Dispose();
        if (_ownsDataDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Finds a server's entry assembly: its own build output beside this test project, else a copy next to the tests.</summary>
    /// <param name="projectName">The project (and assembly) name, e.g. <c>Pegasus.Meta</c>.</param>
    /// <returns>The full path of the assembly.</returns>
    public static string LocateAssembly(string projectName = "Pegasus.Meta")
    {
        // The tests run from <repo>/Pegasus.Tests/bin/<Configuration>/<tfm>/; the server's own output mirrors that.
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testDirectory.Parent?.Name;
        var repository = testDirectory.Parent?.Parent?.Parent?.Parent;
        if (configuration is not null && repository is not null)
        {
            var own = Path.Combine(repository.FullName, projectName, "bin", configuration, testDirectory.Name, projectName + ".dll");
            if (File.Exists(own))
            {
                return own;
            }
        }

        var copy = Path.Combine(testDirectory.FullName, projectName + ".dll");
        if (File.Exists(copy) && File.Exists(Path.Combine(testDirectory.FullName, projectName + ".runtimeconfig.json")))
        {
            return copy;
        }

        throw new FileNotFoundException($"Cannot find {projectName}.dll beside the tests or in its project's bin folder; build it first.");
    }

    /// <summary>A TCP port free on loopback right now (the OS picks it).</summary>
    /// <returns>The port.</returns>
    public static int GetFreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var assembly = LocateAssembly();
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        var settings = new Dictionary<string, string>
        {
            ["Ports:Grpc"] = GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ports:Http"] = HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ports:BindAddress"] = "127.0.0.1",
            ["Meta:DataDirectory"] = DataDirectory,
        };
        foreach (var (key, value) in _options.Settings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // Telemetry export from test processes would only slow them down.
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => AppendOutput("out", e.Data);
        process.ErrorDataReceived += (_, e) => AppendOutput("err", e.Data);
        AppendOutput("harness", $"starting {string.Join(' ', start.ArgumentList)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process?.Dispose();
        _process = process;

        if (_options.WaitForHealthy)
        {
            await WaitForHealthyAsync(process, cancellationToken);
        }
    }

    private async Task WaitForHealthyAsync(Process process, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.StartTimeout);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The meta server exited with code {process.ExitCode} before becoming healthy.\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(HttpAddress, "/health"), deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
            {
                // One probe timed out; the deadline has not.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                // Polling interval of the health probe, bounded by the start deadline.
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        throw new TimeoutException($"The meta server did not become healthy within {_options.StartTimeout}.\n{Output}");
    }

    private void AppendOutput(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            // Keep the tail: the end of the log is what explains a failure.
            if (_output.Length > MaxCapturedChars)
            {
                _output.Remove(0, _output.Length - (MaxCapturedChars / 2));
            }

            _output.Append('[').Append(stream).Append("] ").AppendLine(line);
        }
    }

    private static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
