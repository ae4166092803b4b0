using Pegasus.Replica.Diagnostics;

namespace Pegasus.Replica.Replication.Log;

public sealed partial class MutationLog
{
    [LoggerMessage(EventId = (int)ReplicaEventId.MutationLogOpened, Level = LogLevel.Information,
        Message = "Opened mutation log {Directory}: {SegmentCount} segments, decrees {FirstDecree}..{LastDecree}, {Count} entries")]
    private static partial void LogInformationOpened(ILogger logger, string directory, int segmentCount, long firstDecree, long lastDecree, int count);

    [LoggerMessage(EventId = (int)ReplicaEventId.MutationLogCut, Level = LogLevel.Warning,
        Message = "Cut the mutation log at {File} offset {Offset}, removing {Bytes} bytes: found {Reason}")]
    private static partial void LogWarningCut(ILogger logger, string file, long offset, long bytes, string reason);

    [LoggerMessage(EventId = (int)ReplicaEventId.MutationLogSegmentDropped, Level = LogLevel.Warning,
        Message = "Deleted mutation log segment {File} ({Bytes} bytes): it follows the cut at {CutFile} offset {CutOffset}")]
    private static partial void LogWarningSegmentDropped(ILogger logger, string file, long bytes, string cutFile, long cutOffset);

    [LoggerMessage(EventId = (int)ReplicaEventId.MutationLogRolled, Level = LogLevel.Debug,
        Message = "Mutation log segment {File} is full at {Bytes} bytes; continuing in {NextFile}")]
    private static partial void LogDebugRolled(ILogger logger, string file, long bytes, string nextFile);

    [LoggerMessage(EventId = (int)ReplicaEventId.MutationLogTruncated, Level = LogLevel.Debug,
        Message = "Mutation log {Directory}: deleted {SegmentCount} segments below decree {Decree} and {EntryCount} entries; the first retained decree is {FirstDecree}")]
    private static partial void LogDebugTruncated(ILogger logger, string directory, int segmentCount, int entryCount, long decree, long firstDecree);

    [LoggerMessage(EventId = (int)ReplicaEventId.MutationLogReset, Level = LogLevel.Information,
        Message = "Reset mutation log {Directory} to base decree {Decree}, deleting {SegmentCount} segments")]
    private static partial void LogInformationReset(ILogger logger, string directory, long decree, int segmentCount);

    [LoggerMessage(EventId = (int)ReplicaEventId.MutationLogWriteFailed, Level = LogLevel.Error,
        Message = "Writing {Bytes} bytes to mutation log segment {File} at offset {Offset} failed")]
    private static partial void LogErrorWriteFailed(ILogger logger, string file, long offset, int bytes, Exception exception);

    [LoggerMessage(EventId = (int)ReplicaEventId.MutationLogSyncFailed, Level = LogLevel.Error,
        Message = "Fsync of mutation log segment {File} failed; the log takes no more writes")]
    private static partial void LogErrorSyncFailed(ILogger logger, string file, Exception exception);

    [LoggerMessage(EventId = (int)ReplicaEventId.MutationLogClosed, Level = LogLevel.Debug,
        Message = "Closed mutation log {Directory} at decree {LastDecree}")]
    private static partial void LogDebugClosed(ILogger logger, string directory, long lastDecree);
}
