using Pegasus.Meta.Diagnostics;

namespace Pegasus.Meta.Leadership.ZooKeeper;

public sealed partial class ZooKeeperLeadership
{
    [LoggerMessage(EventId = (int)MetaEventIds.ElectionJoined, Level = LogLevel.Information,
        Message = "Joined the meta leader election as {Node} (ZooKeeper session 0x{SessionId:x})")]
    private static partial void LogJoined(ILogger logger, string node, long sessionId);

    [LoggerMessage(EventId = (int)MetaEventIds.LeadershipGained, Level = LogLevel.Information,
        Message = "Election node {Node} is the lowest: this meta server leads (ZooKeeper session 0x{SessionId:x})")]
    private static partial void LogLeading(ILogger logger, string? node, long sessionId);

    [LoggerMessage(EventId = (int)MetaEventIds.ElectionStandby, Level = LogLevel.Information,
        Message = "Standing by as {Node}, watching {Predecessor}; the leader is {Leader}")]
    private static partial void LogStandby(ILogger logger, string node, string predecessor, string? leader);

    [LoggerMessage(EventId = (int)MetaEventIds.ElectionSteppedDown, Level = LogLevel.Warning,
        Message = "Stopped leading: {Reason}")]
    private static partial void LogSteppedDown(ILogger logger, string reason);

    [LoggerMessage(EventId = (int)MetaEventIds.ElectionStepFailed, Level = LogLevel.Warning,
        Message = "A meta leader election step failed; trying again in {RetryDelay}")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, TimeSpan retryDelay);

    [LoggerMessage(EventId = (int)MetaEventIds.ElectionUnreadableLeader, Level = LogLevel.Warning,
        Message = "The leader's election node {Node} does not hold readable addresses")]
    private static partial void LogUnreadableLeader(ILogger logger, Exception exception, string node);

    [LoggerMessage(EventId = (int)MetaEventIds.ElectionResigned, Level = LogLevel.Information,
        Message = "Left the meta leader election (deleted {Node})")]
    private static partial void LogResigned(ILogger logger, string node);
}
