using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.FailureDetection;
using Pegasus.Meta.Tables;

namespace Pegasus.Meta.Leadership;

/// <summary>
/// Follows leadership: loads the cluster state from the store when this meta server becomes
/// leader and releases it (with the beacon history) when leadership is lost, so a deposed leader
/// serves nothing from a stale view.
/// </summary>
/// <param name="leadership">Leadership.</param>
/// <param name="tables">The table manager holding the state.</param>
/// <param name="nodes">The node registry.</param>
/// <param name="logger">The logger.</param>
public sealed partial class MetaLeadershipCoordinator(
    IMetaLeadership leadership,
    TableManager tables,
    NodeRegistry nodes,
    ILogger<MetaLeadershipCoordinator> logger) : BackgroundService
{
    /// <inheritdoc/>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Leading from the start (the embedded mode): load before the listeners open, so an
        // unreadable state fails startup instead of serving an empty cluster.
        if (leadership.IsLeader)
        {
            await tables.LoadAsync(cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var term = await leadership.WaitForLeadershipAsync(stoppingToken);
                LogLeadershipGained(logger);
                nodes.StartTracking();
                if (!tables.IsLoaded)
                {
                    try
                    {
                        await tables.LoadAsync(stoppingToken);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // Requests retry the load lazily; staying leader without a view only refuses them.
                        LogLoadFailed(logger, exception);
                    }
                }

                await WhenCancelledAsync(term, stoppingToken);
                stoppingToken.ThrowIfCancellationRequested();
                LogLeadershipLost(logger);
                await tables.UnloadAsync(stoppingToken);
                nodes.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    private static Task WhenCancelledAsync(CancellationToken first, CancellationToken second)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registrations = new[]
        {
            first.Register(() => completion.TrySetResult()),
            second.Register(() => completion.TrySetResult()),
        };
        return completion.Task.ContinueWith(
            _ => Array.ForEach(registrations, registration => registration.Dispose()),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    [LoggerMessage(EventId = (int)MetaEventIds.LeadershipGained, Level = LogLevel.Information, Message = "This meta server leads")]
    private static partial void LogLeadershipGained(ILogger logger);

    [LoggerMessage(EventId = (int)MetaEventIds.LeadershipLost, Level = LogLevel.Warning, Message = "This meta server lost leadership")]
    private static partial void LogLeadershipLost(ILogger logger);

    [LoggerMessage(EventId = (int)MetaEventIds.StateLoadFailed, Level = LogLevel.Error, Message = "Loading the cluster state after gaining leadership failed")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception);
}
