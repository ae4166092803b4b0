using Microsoft.Extensions.Logging;
using Pegasus.Protocol;

namespace Pegasus.Client.Diagnostics;

internal enum ClientEventId
{
    RoutingRefreshed = 1,
    RoutingRefreshFailed = 2,
    MetaQueryFailed = 3,
    OperationRetry = 4,
    StreamOpened = 10,
    StreamFailed = 11,
    AdminRequestFailed = 20,
    ScanRestarted = 30,
}

/// <summary>Source-generated log messages of the client.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = (int)ClientEventId.RoutingRefreshed, Level = LogLevel.Debug,
        Message = "Routing of table {Table} refreshed: app id {AppId}, {PartitionCount} partitions, {PrimaryCount} with a primary")]
    public static partial void LogDebugRoutingRefreshed(this ILogger logger, string table, int appId, int partitionCount, int primaryCount);

    [LoggerMessage(EventId = (int)ClientEventId.RoutingRefreshFailed, Level = LogLevel.Information,
        Message = "Routing refresh of table {Table} failed")]
    public static partial void LogInformationRoutingRefreshFailed(this ILogger logger, string table, Exception exception);

    [LoggerMessage(EventId = (int)ClientEventId.MetaQueryFailed, Level = LogLevel.Debug,
        Message = "Meta server {Address} did not answer the routing query for {Table}: {Reason}")]
    public static partial void LogDebugMetaQueryFailed(this ILogger logger, string address, string table, string reason);

    [LoggerMessage(EventId = (int)ClientEventId.OperationRetry, Level = LogLevel.Debug,
        Message = "{Operation} on table {Table} partition {PartitionIndex} at {Server} failed with {Error}; retry {Attempt}")]
    public static partial void LogDebugOperationRetry(this ILogger logger, string operation, string table, int partitionIndex, string server, ErrorCode error, int attempt);

    [LoggerMessage(EventId = (int)ClientEventId.StreamOpened, Level = LogLevel.Debug,
        Message = "Opened data stream to replica server {Address}")]
    public static partial void LogDebugStreamOpened(this ILogger logger, string address);

    [LoggerMessage(EventId = (int)ClientEventId.StreamFailed, Level = LogLevel.Information,
        Message = "Data stream to replica server {Address} broke; failing {PendingCount} pending requests")]
    public static partial void LogInformationStreamFailed(this ILogger logger, string address, int pendingCount, Exception exception);

    [LoggerMessage(EventId = (int)ClientEventId.AdminRequestFailed, Level = LogLevel.Debug,
        Message = "Admin request {Method} {Url} failed: {Reason}")]
    public static partial void LogDebugAdminRequestFailed(this ILogger logger, string method, string url, string reason);

    [LoggerMessage(EventId = (int)ClientEventId.ScanRestarted, Level = LogLevel.Debug,
        Message = "Scan of table {Table} partition {PartitionIndex} restarts after {Reason}")]
    public static partial void LogDebugScanRestarted(this ILogger logger, string table, int partitionIndex, string reason);
}
