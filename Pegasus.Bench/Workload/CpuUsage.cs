using System.Diagnostics;

namespace Pegasus.Bench.Workload;

/// <summary>
/// CPU time the cluster's server processes and the bench itself spent over the measured window. Per operation it is a
/// cost that other load on the machine changes far less than ops/s, so two builds can be compared on a busy machine.
/// </summary>
/// <param name="ServerSeconds">CPU seconds of the servers (meta and replica servers the bench started).</param>
/// <param name="ClientSeconds">CPU seconds of the bench process.</param>
/// <param name="WallSeconds">The window's length.</param>
public sealed record CpuUsage(double ServerSeconds, double ClientSeconds, double WallSeconds)
{
    /// <summary>Measures the window from <paramref name="delay"/> to <paramref name="delay"/> + <paramref name="duration"/> from now.</summary>
    /// <param name="serverProcessIds">The server processes (of a local cluster).</param>
    /// <param name="delay">The warm-up.</param>
    /// <param name="duration">The measured time.</param>
    /// <param name="cancellationToken">Stops measuring (null result).</param>
    /// <returns>The usage, or null when cancelled.</returns>
    public static async Task<CpuUsage?> MeasureAsync(
        IReadOnlyList<int> serverProcessIds, TimeSpan delay, TimeSpan duration, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            var (servers, client, started) = (ServerCpu(serverProcessIds), ClientCpu(), Stopwatch.GetTimestamp());
            await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
            return new CpuUsage(
                (ServerCpu(serverProcessIds) - servers).TotalSeconds,
                (ClientCpu() - client).TotalSeconds,
                Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Gets the CPU microseconds the servers spent per operation.</summary>
    /// <param name="operations">Operations completed in the window.</param>
    /// <returns>The cost; 0 without operations.</returns>
    public double ServerMicrosPerOperation(long operations) => operations == 0 ? 0 : ServerSeconds * 1e6 / operations;

    /// <summary>Gets the CPU microseconds the bench (the client) spent per operation.</summary>
    /// <param name="operations">Operations completed in the window.</param>
    /// <returns>The cost; 0 without operations.</returns>
    public double ClientMicrosPerOperation(long operations) => operations == 0 ? 0 : ClientSeconds * 1e6 / operations;

    private static TimeSpan ClientCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static TimeSpan ServerCpu(IReadOnlyList<int> processIds)
    {
        var total = TimeSpan.Zero;
        foreach (var id in processIds)
        {
            try
            {
                using var process = Process.GetProcessById(id);
                total += process.TotalProcessorTime;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Exited meanwhile: its time is lost to the measurement, which the report cannot hide; rare in a bench.
            }
        }

        return total;
    }
}
