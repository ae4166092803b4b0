using Microsoft.Extensions.Logging;

namespace Pegasus.ZooKeeper.Session;

/// <summary>Event ids of the ZooKeeper client's log messages.</summary>
internal enum ZooKeeperEventId
{
    Connecting = 1,
    Connected = 2,
    ConnectAttemptFailed = 3,
    Disconnected = 4,
    SessionExpired = 5,
    Closed = 6,
    WatchesRestored = 7,
    CallbackFailed = 8,
    UnexpectedReply = 9,
    CloseSessionFailed = 10,
}

internal static partial class Log
{
    [LoggerMessage(EventId = (int)ZooKeeperEventId.Connecting, Level = LogLevel.Debug,
        Message = "Connecting to ZooKeeper server {Server} (session 0x{SessionId:x})")]
    public static partial void Connecting(ILogger logger, string server, long sessionId);

    [LoggerMessage(EventId = (int)ZooKeeperEventId.Connected, Level = LogLevel.Information,
        Message = "Connected to ZooKeeper server {Server}: session 0x{SessionId:x}, negotiated timeout {TimeoutMs} ms")]
    public static partial void Connected(ILogger logger, string server, long sessionId, int timeoutMs);

    [LoggerMessage(EventId = (int)ZooKeeperEventId.ConnectAttemptFailed, Level = LogLevel.Debug,
        Message = "Could not connect to ZooKeeper server {Server}")]
    public static partial void ConnectAttemptFailed(ILogger logger, string server, Exception exception);

    [LoggerMessage(EventId = (int)ZooKeeperEventId.Disconnected, Level = LogLevel.Warning,
        Message = "Lost the connection to ZooKeeper server {Server} (session 0x{SessionId:x}): {Reason}")]
    public static partial void Disconnected(ILogger logger, string server, long sessionId, string reason);

    [LoggerMessage(EventId = (int)ZooKeeperEventId.SessionExpired, Level = LogLevel.Warning,
        Message = "ZooKeeper session 0x{SessionId:x} expired")]
    public static partial void SessionExpired(ILogger logger, long sessionId);

    [LoggerMessage(EventId = (int)ZooKeeperEventId.Closed, Level = LogLevel.Information,
        Message = "ZooKeeper client closed (session 0x{SessionId:x})")]
    public static partial void Closed(ILogger logger, long sessionId);

    [LoggerMessage(EventId = (int)ZooKeeperEventId.WatchesRestored, Level = LogLevel.Debug,
        Message = "Re-registering {Count} watched paths with ZooKeeper server {Server}")]
    public static partial void WatchesRestored(ILogger logger, int count, string server);

    [LoggerMessage(EventId = (int)ZooKeeperEventId.CallbackFailed, Level = LogLevel.Error,
        Message = "A ZooKeeper watch or state-change handler threw")]
    public static partial void CallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = (int)ZooKeeperEventId.UnexpectedReply, Level = LogLevel.Warning,
        Message = "ZooKeeper server {Server} answered xid {Xid} with error {Error}")]
    public static partial void UnexpectedReply(ILogger logger, string server, int xid, int error);

    [LoggerMessage(EventId = (int)ZooKeeperEventId.CloseSessionFailed, Level = LogLevel.Debug,
        Message = "Closing ZooKeeper session 0x{SessionId:x} on the server failed")]
    public static partial void CloseSessionFailed(ILogger logger, long sessionId, Exception exception);
}
