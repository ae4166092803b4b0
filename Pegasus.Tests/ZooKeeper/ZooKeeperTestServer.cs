using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pegasus.ZooKeeper;

namespace Pegasus.Tests.ZooKeeper;

/// <summary>Settings of test ZooKeeper servers (fast ticks so session expiry and elections are quick).</summary>
public sealed record ZooKeeperTestServerSettings
{
    /// <summary>ZooKeeper's tick; session expiry is checked once per tick.</summary>
    /// <value>Defaults to 500 ms.</value>
    public TimeSpan TickTime { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The smallest session timeout the server grants.</summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan MinSessionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest session timeout the server grants.</summary>
    /// <value>Defaults to 60 seconds.</value>
    public TimeSpan MaxSessionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a start may take before it fails.</summary>
    /// <value>Defaults to 60 seconds.</value>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// One real ZooKeeper server process (standalone or an ensemble member) on loopback, with its own
/// data directory and dynamically chosen ports; <see cref="Kill"/> is a hard kill and
/// <see cref="RestartAsync"/> starts it again on the same data directory and ports.
/// </summary>
public sealed class ZooKeeperTestServer : IAsyncDisposable
{
    // Every server process this test run started and has not killed yet: killed at process exit
    // so a test host that ends without disposing its fixtures leaves no JVM behind.
    private static readonly HashSet<Process> LiveProcesses = [];

    private readonly ZooKeeperTestInstallation _installation;
    private readonly string _configPath;
    private readonly bool _ownsDirectory;
    private readonly Lock _logGate = new();
    private Process? _process;
    private StreamWriter? _log;

    internal ZooKeeperTestServer(
        ZooKeeperTestInstallation installation, string directory, int serverId, int clientPort,
        ZooKeeperTestServerSettings settings, string extraConfig, bool ownsDirectory)
    {
        _installation = installation;
        Directory = directory;
        ServerId = serverId;
        ClientPort = clientPort;
        Settings = settings;
        _ownsDirectory = ownsDirectory;
        var dataDirectory = Path.Combine(directory, "data");
        System.IO.Directory.CreateDirectory(dataDirectory);
        if (serverId > 0)
        {
            File.WriteAllText(Path.Combine(dataDirectory, "myid"), serverId.ToString(CultureInfo.InvariantCulture));
        }

        _configPath = Path.Combine(directory, "zoo.cfg");
        File.WriteAllText(_configPath, string.Create(CultureInfo.InvariantCulture, $"""
            tickTime={(int)settings.TickTime.TotalMilliseconds}
            initLimit=20
            syncLimit=10
            dataDir={dataDirectory}
            clientPort={clientPort}
            clientPortAddress=127.0.0.1
            admin.enableServer=false
            minSessionTimeout={(int)settings.MinSessionTimeout.TotalMilliseconds}
            maxSessionTimeout={(int)settings.MaxSessionTimeout.TotalMilliseconds}
            preAllocSize=1024
            {extraConfig}
            """));
        LogPath = Path.Combine(directory, "server.log");
    }

    /// <summary>The server id (myid) in an ensemble; 0 for a standalone server.</summary>
    public int ServerId { get; }

    /// <summary>The client port on 127.0.0.1.</summary>
    public int ClientPort { get; }

    /// <summary>The connection string for this server alone.</summary>
    public string ConnectionString => $"127.0.0.1:{ClientPort}";

    /// <summary>This server's directory (config, data, log).</summary>
    public string Directory { get; }

    /// <summary>The server's stdout/stderr.</summary>
    public string LogPath { get; }

    /// <summary>The settings the server was configured with.</summary>
    public ZooKeeperTestServerSettings Settings { get; }

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts a standalone server on a free port in a fresh temporary directory and waits until it
    /// accepts sessions. Skips (or, with <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c>, fails) the calling test when
    /// ZooKeeper is not installed.
    /// </summary>
    public static async Task<ZooKeeperTestServer> StartStandaloneAsync(
        ZooKeeperTestServerSettings? settings = null, CancellationToken cancellationToken = default)
    {
        var installation = ZooKeeperTestInstallation.Require();
        var port = ZooKeeperTestPorts.Allocate(1)[0];
        var server = new ZooKeeperTestServer(installation, NewDirectory("standalone"), 0, port, settings ?? new(), string.Empty, ownsDirectory: true);
        try
        {
            await server.StartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process (if not running) and waits until it accepts sessions.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Launch();
        await WaitUntilServingAsync(cancellationToken);
    }

    /// <summary>Kills the process (SIGKILL) and waits for it to exit; no-op when not running.</summary>
    public void Kill()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        lock (LiveProcesses)
        {
            LiveProcesses.Remove(process);
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(15));
            }
        }
        catch (InvalidOperationException)
        {
            // Exited on its own in the meantime.
        }
        finally
        {
            process.Dispose();
            lock (_logGate)
            {
                _log?.Dispose();
                _log = null;
            }
        }
    }

    /// <summary>Kills the server if running, then starts it again with the same data directory and ports.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        Kill();
        await StartAsync(cancellationToken);
    }

    /// <summary>The last lines of the server's log, for failure messages.</summary>
    public string ReadLogTail(int lines = 30)
    {
        lock (_logGate)
        {
            _log?.Flush();
        }

        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    /// <summary>Kills the server and deletes its directory (when it created it).</summary>
    public ValueTask DisposeAsync()
    {
        Kill();
        if (_ownsDirectory)
        {
            TryDeleteDirectory(Directory);
        }

        return ValueTask.CompletedTask;
    }

    internal static string NewDirectory(string kind)
    {
        var path = Path.Combine(Path.GetTempPath(), "pegasus-zk-tests", $"{kind}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    internal static void TryDeleteDirectory(string path)
    {
        // Set PEGASUS_KEEP_ZOOKEEPER_DATA=1 to keep configs, data and server logs for a post-mortem.
        if (Environment.GetEnvironmentVariable("PEGASUS_KEEP_ZOOKEEPER_DATA") == "1")
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    /// <summary>Starts the process without waiting (an ensemble starts all members before any can serve).</summary>
    internal void Launch()
    {
        if (IsRunning)
        {
            return;
        }

        var start = new ProcessStartInfo(_installation.JavaPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var argument in new[]
        {
            "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Djava.net.preferIPv4Stack=true",
            "-Dzookeeper.admin.enableServer=false",
            // Test data need not survive power loss; skipping fsync keeps a loaded machine fast.
            "-Dzookeeper.forceSync=no",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-cp", _installation.Classpath,
            "org.apache.zookeeper.server.quorum.QuorumPeerMain", _configPath,
        })
        {
            start.ArgumentList.Add(argument);
        }

        lock (_logGate)
        {
            _log = new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), Encoding.UTF8);
            _log.WriteLine($"==== starting {string.Join(' ', start.ArgumentList)}");
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => AppendLog(e.Data);
        process.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        lock (LiveProcesses)
        {
            if (LiveProcesses.Count == 0)
            {
                AppDomain.CurrentDomain.ProcessExit -= KillLiveProcesses;
                AppDomain.CurrentDomain.ProcessExit += KillLiveProcesses;
            }

            LiveProcesses.Add(process);
        }
    }

    /// <summary>Polls with short sessions until the server grants one (bounded by <see cref="ZooKeeperTestServerSettings.StartTimeout"/>).</summary>
    internal async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < Settings.StartTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsRunning)
            {
                throw new InvalidOperationException($"ZooKeeper server {ServerId} ({ConnectionString}) exited during start:\n{ReadLogTail()}");
            }

            try
            {
                await using var probe = await ZooKeeperClient.ConnectAsync(
                    new ZooKeeperClientOptions { ConnectionString = ConnectionString, ConnectTimeout = TimeSpan.FromSeconds(3) },
                    cancellationToken: cancellationToken);
                return;
            }
            catch (ConnectionLossException ex)
            {
                last = ex;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        throw new TimeoutException(
            $"ZooKeeper server {ServerId} ({ConnectionString}) did not accept a session within {Settings.StartTimeout}: {last?.Message}\n{ReadLogTail()}");
    }

    private static void KillLiveProcesses(object? sender, EventArgs e)
    {
        lock (LiveProcesses)
        {
            foreach (var process in LiveProcesses)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }

            LiveProcesses.Clear();
        }
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            _log?.WriteLine(line);
        }
    }
}
