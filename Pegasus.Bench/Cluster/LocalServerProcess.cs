using System.Diagnostics;

namespace Pegasus.Bench.Cluster;

/// <summary>
/// One server process (<c>dotnet &lt;server&gt;.dll --Key=Value ...</c>) of a <see cref="LocalCluster"/>.
/// Its output is drained continuously (a full pipe would block the server) and the tail is kept to explain a failed start.
/// </summary>
public sealed class LocalServerProcess : IDisposable
{
    private const int TailLines = 60;

    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly Lock _tailLock = new();

    private LocalServerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>Gets the name used in messages, e.g. <c>replica-1</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the last lines the process wrote.</summary>
    public string OutputTail
    {
        get
        {
            lock (_tailLock)
            {
                return string.Join(Environment.NewLine, _tail);
            }
        }
    }

    /// <summary>Starts <paramref name="assembly"/> with <paramref name="configuration"/> as <c>--Key=Value</c> arguments.</summary>
    /// <param name="name">The name used in messages.</param>
    /// <param name="assembly">The server's <c>.dll</c>.</param>
    /// <param name="configuration">Its whole configuration.</param>
    /// <returns>The running process.</returns>
    public static LocalServerProcess Start(string name, string assembly, IReadOnlyDictionary<string, string> configuration)
    {
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

        // The ports come from the arguments, and exporting telemetry would take CPU from the measured path.
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");

        var server = new LocalServerProcess(name, new Process { StartInfo = start });
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
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
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before {url} answered:{Environment.NewLine}{OutputTail}");
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

    /// <summary>Kills the process (and its children) if it runs and waits until it is gone.</summary>
    /// <remarks>
    /// A kill rather than a graceful stop: the cluster's data is deleted right after, so nothing needs flushing,
    /// and a kill cannot hang.
    /// </remarks>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill, or never started.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tailLock)
        {
            // Keep only the tail: the end of the log is what explains a failed start.
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
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
