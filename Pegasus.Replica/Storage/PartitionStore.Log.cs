
namespace Pegasus.Replica.Storage;

/// <summary>Event ids of the storage engine's log messages.</summary>
internal enum StorageEventId
{
    Opened = 3000,
    Closed = 3001,
    ReadFailed = 3002,
    InvalidWrite = 3003,
    Swept = 3004,
    ScanContextEvicted = 3005,
    ScanContextsExpired = 3006,
    SlowRangeRead = 3007,
}

public sealed partial class PartitionStore
{
    [LoggerMessage(EventId = (int)StorageEventId.Opened, Level = LogLevel.Information,
        Message = "Opened partition store {AppId}.{PartitionIndex} at {Directory}, last applied decree {Decree}")]
    private static partial void LogInformationOpened(ILogger logger, int appId, int partitionIndex, string directory, long decree);

    [LoggerMessage(EventId = (int)StorageEventId.Closed, Level = LogLevel.Information,
        Message = "Closed partition store {AppId}.{PartitionIndex}, last applied decree {Decree}")]
    private static partial void LogInformationClosed(ILogger logger, int appId, int partitionIndex, long decree);

    [LoggerMessage(EventId = (int)StorageEventId.ReadFailed, Level = LogLevel.Error,
        Message = "RocksDB read failed on partition {AppId}.{PartitionIndex} for {Operation}")]
    private static partial void LogErrorReadFailed(ILogger logger, int appId, int partitionIndex, string operation, Exception exception);

    [LoggerMessage(EventId = (int)StorageEventId.InvalidWrite, Level = LogLevel.Debug,
        Message = "Write at decree {Decree} on partition {AppId}.{PartitionIndex} rejected with {Error}: {Reason}")]
    private static partial void LogDebugInvalidWrite(ILogger logger, long decree, int appId, int partitionIndex, Pegasus.Protocol.ErrorCode error, string reason);

    [LoggerMessage(EventId = (int)StorageEventId.Swept, Level = LogLevel.Debug,
        Message = "Swept partition {AppId}.{PartitionIndex}: examined {Examined} records, removed {Removed} expired")]
    private static partial void LogDebugSwept(ILogger logger, int appId, int partitionIndex, int examined, int removed);

    [LoggerMessage(EventId = (int)StorageEventId.ScanContextEvicted, Level = LogLevel.Warning,
        Message = "Partition {AppId}.{PartitionIndex} holds {Limit} scan contexts; freed the least recently used one ({ContextId})")]
    private static partial void LogWarningScanContextEvicted(ILogger logger, int appId, int partitionIndex, int limit, long contextId);

    [LoggerMessage(EventId = (int)StorageEventId.ScanContextsExpired, Level = LogLevel.Debug,
        Message = "Partition {AppId}.{PartitionIndex} freed {Count} idle scan contexts")]
    private static partial void LogDebugScanContextsExpired(ILogger logger, int appId, int partitionIndex, int count);

    [LoggerMessage(EventId = (int)StorageEventId.SlowRangeRead, Level = LogLevel.Warning,
        Message = "{Operation} on partition {AppId}.{PartitionIndex} stopped after {Iterations} records: over the iteration time threshold {Threshold}")]
    private static partial void LogWarningSlowRangeRead(ILogger logger, string operation, int appId, int partitionIndex, long iterations, TimeSpan threshold);
}
