using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Pegasus.LocalCluster;

namespace Pegasus.Tests.Cluster;

/// <summary>
/// The process plumbing shared by <see cref="MetaServerProcess"/> and <see cref="ReplicaServerProcess"/>:
/// runs <c>dotnet &lt;server&gt;.dll --Key=Value...</c>, captures its output, polls an HTTP endpoint
/// with a deadline, kills (SIGKILL) or stops (SIGTERM, then kill) it, and launches it again on the
/// same configuration. After <see cref="Dispose"/> it reports not running instead of throwing.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private const int MaxCapturedChars = 256 * 1024;
    private const int Sigterm = 15;

    private static readonly TimeSpan KillExitTimeout = TimeSpan.FromSeconds(10);

    private readonly string _projectName;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="ServerProcess"/> class.</summary>
    /// <param name="projectName">The server project (and assembly) name, e.g. <c>Pegasus.Meta</c>.</param>
    /// <param name="description">How failure messages name this server.</param>
    public ServerProcess(string projectName, string description)
    {
        _projectName = projectName;
        Description = description;
    }

    /// <summary>Gets how failure messages name this server.</summary>
    public string Description { get; }

    /// <summary>Gets a value indicating whether a process was ever launched.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>Gets whether the current process has exited (true when none was started or after dispose).</summary>
    public bool HasExited => _process is not { } process || process.HasExited;

    /// <summary>Gets the exit code of the current process, or null while it runs (or after dispose).</summary>
    public int? ExitCode => _process is { HasExited: true } process ? process.ExitCode : null;

    /// <summary>Gets everything the process(es) wrote so far, tagged by stream (the latest part if it is long).</summary>
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

    /// <summary>The configuration every test server gets: its ports, bound to loopback.</summary>
    /// <param name="grpcPort">The gRPC port.</param>
    /// <param name="httpPort">The HTTP (admin, health) port.</param>
    /// <returns>A dictionary the caller adds its own settings to.</returns>
    public static Dictionary<string, string> BaseConfiguration(int grpcPort, int httpPort) => new()
    {
        ["Ports:Grpc"] = grpcPort.ToString(CultureInfo.InvariantCulture),
        ["Ports:Http"] = httpPort.ToString(CultureInfo.InvariantCulture),
        ["Ports:BindAddress"] = "127.0.0.1",
    };

    /// <summary>Starts a new process with <paramref name="configuration"/> as <c>--Key=Value</c> arguments.</summary>
    /// <param name="configuration">The whole configuration (see <see cref="BaseConfiguration"/>).</param>
    /// <exception cref="InvalidOperationException">The previous process still runs.</exception>
    public void Launch(IReadOnlyDictionary<string, string> configuration)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!HasExited)
        {
            throw new InvalidOperationException($"{Description} is still running; stop or kill it first.");
        }

        var assembly = LocateAssembly(_projectName);
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (var (key, value) in configuration)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // Several servers share a small machine: workstation GC keeps each one's memory small, and
        // telemetry export from test processes would only slow them down. Ports come from arguments.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        start.Environment.Remove("ASPNETCORE_URLS");

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => AppendOutput("out", e.Data);
        process.ErrorDataReceived += (_, e) => AppendOutput("err", e.Data);
        AppendOutput("harness", $"starting {Description}: {string.Join(' ', start.ArgumentList)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process?.Dispose();
        _process = process;
        HasStarted = true;
    }

    /// <summary>Polls <paramref name="path"/> on <paramref name="httpAddress"/> until it answers a success status.</summary>
    /// <param name="httpAddress">The server's HTTP address.</param>
    /// <param name="path">The path to poll, e.g. <c>/health</c>.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes once the path answered with success.</returns>
    /// <exception cref="InvalidOperationException">The process was never started or exited while waiting.</exception>
    /// <exception cref="TimeoutException">No success within <paramref name="timeout"/>.</exception>
    public async Task WaitForSuccessAsync(Uri httpAddress, string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var process = _process ?? throw new InvalidOperationException($"{Description} was never started.");
        var uri = new Uri(httpAddress, path);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (process.HasExited)
            {
                // Bounded wait for the output pipes to drain so the message shows why it exited.
                process.WaitForExit(TimeSpan.FromSeconds(5));
                throw new InvalidOperationException(
                    $"{Description} exited with code {process.ExitCode} while waiting for {path}.\n{Output}");
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
                // Polling interval of a bounded wait, not a synchronization point.
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        throw new TimeoutException($"{Description} did not answer {path} with success within {timeout}.\n{Output}");
    }

    /// <summary>Gets the HTTP status of <paramref name="uri"/> now.</summary>
    /// <param name="uri">What to ask.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The status code.</returns>
    public async Task<HttpStatusCode> GetStatusAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(uri, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Kills the process at once (SIGKILL), like a crash, if it runs, and waits (boundedly) until it is gone.</summary>
    public void Kill()
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

            // SIGKILL cannot be ignored, but a process stuck in the kernel (uninterruptible I/O)
            // exits only later; a test must not hang on it, and its diagnostics should say so.
            if (!process.WaitForExit(KillExitTimeout))
            {
                AppendOutput("harness", $"process {process.Id} did not exit within {KillExitTimeout.TotalSeconds:0} s of SIGKILL");
            }
        }
    }

    /// <summary>Asks the process to shut down (SIGTERM) and kills it if it has not exited within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long a graceful stop may take.</param>
    /// <returns>Whether the process stopped on its own (true when it was not running).</returns>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_process is not { HasExited: false } process)
        {
            return true;
        }

        if (OperatingSystem.IsWindows() || SendSignal(process.Id, Sigterm) != 0)
        {
            Kill();
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
            AppendOutput("harness", "graceful stop timed out; killing");
            Kill();
            return false;
        }
    }

    /// <summary>Kills the process if it runs and releases it; afterwards the server reports not running.</summary>
    public void Dispose()
    {
        _disposed = true;
        Kill();
        var process = _process;

        // Cleared before disposing so HasExited/ExitCode never touch a disposed Process.
        _process = null;
        process?.Dispose();
        _http.Dispose();
    }

    /// <summary>Deletes a directory tree, best effort: a temporary directory left behind does not affect other tests.</summary>
    /// <param name="directory">The directory.</param>
    public static void DeleteDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort, see above.
        }
    }

    /// <summary>
    /// Finds <c>&lt;project&gt;.dll</c> in the project's own output (<c>&lt;repo&gt;/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>,
    /// matching the test assembly's configuration and framework), else the runnable copy beside the tests.
    /// </summary>
    /// <param name="projectName">The project (and assembly) name, e.g. <c>Pegasus.Meta</c>.</param>
    /// <returns>The assembly's full path.</returns>
    public static string LocateAssembly(string projectName)
    {
        // The tests run from <repo>/Pegasus.Tests/bin/<Configuration>/<tfm>/; the server's own output mirrors that.
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testDirectory.Name;
        var configuration = testDirectory.Parent?.Name ?? "Debug";
        for (var directory = testDirectory; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, projectName, "bin", configuration, framework, projectName + ".dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        // A copy is only runnable with its runtimeconfig beside it.
        var copy = Path.Combine(testDirectory.FullName, projectName + ".dll");
        if (File.Exists(copy) && File.Exists(Path.Combine(testDirectory.FullName, projectName + ".runtimeconfig.json")))
        {
            return copy;
        }

        throw new FileNotFoundException($"Cannot find {projectName}.dll beside the tests or in its project's bin folder; build {projectName} ({configuration}) first.");
    }

    /// <summary>A TCP port free on loopback right now, outside the OS's ephemeral range (see <see cref="LoopbackPortAllocator"/>).</summary>
    /// <returns>The port.</returns>
    public static int GetFreeTcpPort() => LoopbackPortAllocator.AllocateOne();

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
    {
        // Set by the dotnet CLI for the processes it starts (dotnet test, dotnet run).
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet"))
            ? Path.Combine(root, "dotnet")
            : "dotnet";
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
