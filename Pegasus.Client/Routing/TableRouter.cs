using Microsoft.Extensions.Logging;
using Pegasus.Client.Diagnostics;

namespace Pegasus.Client.Routing;

/// <summary>
/// The routing cache of one table. Operations read <see cref="Current"/>; after a routing failure they call
/// <see cref="RefreshAsync"/>, which coalesces concurrent refreshes into one meta query.
/// </summary>
internal sealed class TableRouter(
    string tableName,
    TableRouting initial,
    MetaQueryClient meta,
    TimeProvider timeProvider,
    TimeSpan refreshTimeout,
    ClientInstruments instruments,
    ILogger logger)
{
    private readonly Lock _lock = new();
    private volatile TableRouting _current = initial;
    private Task<TableRouting>? _refreshing;

    public string TableName { get; } = tableName;

    public TableRouting Current => _current;

    /// <summary>Replaces the routing with a fresher one obtained elsewhere (for example by OpenTableAsync).</summary>
    public void Update(TableRouting routing) => _current = routing;

    /// <summary>
    /// Refreshes the routing because <paramref name="stale"/> led to a failure. Returns at once when another
    /// caller already replaced it; otherwise joins the refresh in flight or starts one.
    /// </summary>
    public Task<TableRouting> RefreshAsync(TableRouting stale, CancellationToken cancellationToken)
    {
        Task<TableRouting> refreshing;
        lock (_lock)
        {
            // Someone refreshed since the caller read the routing: retry with that before asking meta again.
            if (!ReferenceEquals(_current, stale))
            {
                return Task.FromResult(_current);
            }

            // Task.Run: the refresh's completion must not run its cleanup inside this lock.
            refreshing = _refreshing ??= Task.Run(RunRefreshAsync);
        }

        return refreshing.WaitAsync(cancellationToken);
    }

    private async Task<TableRouting> RunRefreshAsync()
    {
        try
        {
            instruments.RecordRouteRefresh(TableName);

            // Not the caller's token: the refresh is shared by every caller waiting on it.
            using var timeout = new CancellationTokenSource(refreshTimeout, timeProvider);
            var routing = await meta.QueryOnceAsync(TableName, timeout.Token).ConfigureAwait(false);
            _current = routing;
            logger.LogDebugRoutingRefreshed(TableName, routing.AppId, routing.PartitionCount, routing.PrimaryCount);
            return routing;
        }
        catch (Exception ex)
        {
            logger.LogInformationRoutingRefreshFailed(TableName, ex);
            throw;
        }
        finally
        {
            lock (_lock)
            {
                _refreshing = null;
            }
        }
    }
}
