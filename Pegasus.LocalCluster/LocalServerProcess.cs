using System.Diagnostics;
using System.Globalization;

namespace Pegasus.LocalCluster;

/// <summary>
/// One server process (<c>dotnet &lt;server&gt;.dll --Key=Value ...</c>) of a <see cref="ProcessCluster"/>, which can be
/// killed (SIGKILL), stopped (SIGTERM), paused (SIGSTOP), resumed (SIGCONT) and launched again with the same
/// configuration (so the same ports and data directory). Its output is drained continuously (a full pipe would block
/// the server); the tail is kept to explain a failed start, and all of it goes to <see cref="LogFile"/> when one is set.
/// </summary>
public sealed class LocalServerProcess : IDisposable
{
    private const int TailLines = 80;

    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    private readonly Queue<string> _tail = new();

    // Guards _tail and _log: output arrives on thread-pool threads of every process launched so far.
    private readonly Lock _outputLock = new();
    private readonly string _assembly;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StreamWriter? _log;
    private Process? _process;
    private bool _disposed;

    private LocalServerProcess(
        string name, string assembly, IReadOnlyDictionary<string, string> configuration, IReadOnlyDictionary<string, string> environment, string? logFile)
    {
        Name = name;
        _assembly = assembly;
        Configuration = configuration;
        _environment = environment;
        LogFile = logFile;
        if (logFile is not null)
        {
            _log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        }
    }

    /// <summary>Gets the name used in messages, e.g. <c>replica-1</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the configuration every launch passes as <c>--Key=Value</c> arguments.</summary>
    public IReadOnlyDictionary<string, string> Configuration { get; }

    /// <summary>Gets the file all output goes to (every launch appends), or null.</summary>
    public string? LogFile { get; }

    /// <summary>Gets the current process's id, or null when none runs.</summary>
    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>Gets a value indicating whether a launched process has not exited (a paused one counts as running).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Gets a value indicating whether the process is stopped by SIGSTOP.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>Gets how many times the process was launched.</summary>
    public int Launches { get; private set; }

    /// <summary>Gets the last lines the process(es) wrote.</summary>
    public string OutputTail
    {
        get
        {
            lock (_outputLock)
            {
                return string.Join(Environment.NewLine, _tail);
            }
        }
    }

    /// <summary>Starts <paramref name="assembly"/> with <paramref name="configuration"/> as <c>--Key=Value</c> arguments.</summary>
    /// <param name="name">The name used in messages.</param>
    /// <param name="assembly">The server's <c>.dll</c>.</param>
    /// <param name="configuration">Its whole configuration.</param>
    /// <param name="environment">Environment variables to set (e.g. <c>DOTNET_gcServer=0</c>); null for none.</param>
    /// <param name="logFile">A file to append all output to; null for none.</param>
    /// <returns>The running process.</returns>
    public static LocalServerProcess Start(
        string name,
        string assembly,
        IReadOnlyDictionary<string, string> configuration,
        IReadOnlyDictionary<string, string>? environment = null,
        string? logFile = null)
    {
        var server = new LocalServerProcess(name, assembly, configuration, environment ?? new Dictionary<string, string>(), logFile);
        server.Launch();
        return server;
    }

    /// <summary>Launches the process again with the same configuration (same ports, same data directory).</summary>
    /// <exception cref="InvalidOperationException">It still runs.</exception>
    public void Launch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is still running; kill or stop it first.");
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(_assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(_assembly);
        foreach (var (key, value) in Configuration)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // The ports come from the arguments, and exporting telemetry would take CPU from the servers.
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        Append($"[harness] launching {Name}: {string.Join(' ', start.ArgumentList)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process?.Dispose();
        _process = process;
        IsPaused = false;
        Launches++;
    }

    /// <summary>Polls <paramref name="url"/> until it answers a success status.</summary>
    /// <param name="http">The client to poll with.</param>
    /// <param name="url">E.g. <c>http://127.0.0.1:40001/health</c>.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes once the server answered with success.</returns>
    /// <exception cref="InvalidOperationException">The process exited, or did not answer in time; the message has its output.</exception>
    public async Task WaitForSuccessAsync(HttpClient http, string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process is not { } process || process.HasExited)
            {
                var code = _process is { HasExited: true } exited ? exited.ExitCode.ToString(CultureInfo.InvariantCulture) : "(not running)";
                throw new InvalidOperationException($"{Name} exited with code {code} before {url} answered:{Environment.NewLine}{OutputTail}");
            }

            try
            {
                using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe timed out (HttpClient.Timeout); the overall deadline decides.
            }

            // Poll interval of a bounded wait.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"{Name} did not answer {url} with success within {timeout}:{Environment.NewLine}{OutputTail}");
    }

    /// <summary>Kills the process (SIGKILL, like <c>kill -9</c>) if it runs, and waits (boundedly) until it is gone.</summary>
    /// <remarks>SIGKILL also ends a paused (SIGSTOPped) process.</remarks>
    public void Kill()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // The signal first, at once, as kill -9 would; the tree walk (a /proc scan, slow on a busy machine) after.
                ProcessSignals.TrySend(process.Id, ProcessSignals.Sigkill);
                process.Kill(entireProcessTree: true);
            }

            // SIGKILL cannot be ignored, but a process in uninterruptible I/O exits only later: bounded.
            if (!process.WaitForExit(ExitWait))
            {
                Append($"[harness] {Name} (pid {process.Id}) did not exit within {ExitWait.TotalSeconds:0} s of SIGKILL");
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        IsPaused = false;
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

        // A paused process would not act on SIGTERM until continued.
        Resume();
        if (!ProcessSignals.TrySend(process.Id, ProcessSignals.Sigterm))
        {
            Kill();
            return false;
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Append("[harness] graceful stop timed out; killing");
            Kill();
            return false;
        }
    }

    /// <summary>Stops the process where it is (SIGSTOP): it holds its sockets and memory but runs no code.</summary>
    /// <returns>Whether a running process was paused.</returns>
    public bool Pause()
    {
        if (_process is not { HasExited: false } process || IsPaused)
        {
            return false;
        }

        IsPaused = ProcessSignals.TrySend(process.Id, ProcessSignals.Sigstop);
        Append($"[harness] SIGSTOP {Name} (pid {process.Id}): {(IsPaused ? "sent" : "failed")}");
        return IsPaused;
    }

    /// <summary>Continues a paused process (SIGCONT).</summary>
    /// <returns>Whether a paused process was continued.</returns>
    public bool Resume()
    {
        if (!IsPaused || _process is not { HasExited: false } process)
        {
            IsPaused = false;
            return false;
        }

        var resumed = ProcessSignals.TrySend(process.Id, ProcessSignals.Sigcont);
        IsPaused = !resumed;
        Append($"[harness] SIGCONT {Name} (pid {process.Id}): {(resumed ? "sent" : "failed")}");
        return resumed;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kill();
        _process?.Dispose();
        _process = null;
        lock (_outputLock)
        {
            _log?.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            // Keep only the tail: the end of the log is what explains a failed start.
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }

            if (!_disposed)
            {
                // Servers' console lines carry no time; the harness's does, to line logs up with a chaos report.
                _log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
            }
        }
    }

    private static string DotnetHost()
    {
        // dotnet run/test set DOTNET_HOST_PATH for the processes they start; otherwise use the dotnet on PATH.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet"))
            ? Path.Combine(root, "dotnet")
            : "dotnet";
    }
}
