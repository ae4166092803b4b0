namespace Pegasus.Meta.FailureDetection;

/// <summary>Sweeps the node registry once a second so deaths are logged close to when they happen.</summary>
/// <param name="registry">The node registry.</param>
/// <param name="timeProvider">The clock the sweep interval runs on.</param>
public sealed class NodeLivenessMonitor(NodeRegistry registry, TimeProvider timeProvider) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                registry.CheckLiveness();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown: nothing left to sweep for.
        }
    }
}
