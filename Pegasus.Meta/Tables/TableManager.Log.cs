using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.State;
using Pegasus.Protocol;

namespace Pegasus.Meta.Tables;

public sealed partial class TableManager
{
    [LoggerMessage(EventId = (int)MetaEventIds.TableCreated, Level = LogLevel.Information,
        Message = "Created table {Name} (app id {AppId}, {PartitionCount} partitions, replica count {ReplicaCount})")]
    private static partial void LogTableCreated(ILogger logger, string name, int appId, int partitionCount, int replicaCount);

    [LoggerMessage(EventId = (int)MetaEventIds.TableDropped, Level = LogLevel.Information, Message = "Dropped table {Name} (app id {AppId})")]
    private static partial void LogTableDropped(ILogger logger, string name, int appId);

    [LoggerMessage(EventId = (int)MetaEventIds.TableEnvsUpdated, Level = LogLevel.Information,
        Message = "Updated the app envs of table {Name} (app id {AppId}): {Envs}")]
    private static partial void LogTableEnvsUpdated(ILogger logger, string name, int appId, string envs);

    [LoggerMessage(EventId = (int)MetaEventIds.TableRequestRejected, Level = LogLevel.Information,
        Message = "Rejected {Operation} of table {Name}: {Error} {Reason}")]
    private static partial void LogTableRequestRejected(ILogger logger, string operation, string? name, ErrorCode error, string? reason);

    [LoggerMessage(EventId = (int)MetaEventIds.StateStoreConflict, Level = LogLevel.Warning,
        Message = "State store refused {Operation} of table {Name} ({Status}): another writer changed the state; reloading")]
    private static partial void LogStoreConflict(ILogger logger, string operation, string name, StoreWriteStatus status);

    [LoggerMessage(EventId = (int)MetaEventIds.StateStoreWriteFailed, Level = LogLevel.Error, Message = "State store write failed; the state will be reloaded")]
    private static partial void LogStoreWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = (int)MetaEventIds.StateLoaded, Level = LogLevel.Information,
        Message = "Loaded cluster state: {TableCount} tables, {DroppedCount} dropped, next app id {NextAppId}")]
    private static partial void LogStateLoaded(ILogger logger, int tableCount, int droppedCount, int nextAppId);

    [LoggerMessage(EventId = (int)MetaEventIds.StateLoadFailed, Level = LogLevel.Error, Message = "Loading the cluster state failed")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = (int)MetaEventIds.StateUnloaded, Level = LogLevel.Information, Message = "Released the cluster state (leadership lost)")]
    private static partial void LogStateUnloaded(ILogger logger);
}
