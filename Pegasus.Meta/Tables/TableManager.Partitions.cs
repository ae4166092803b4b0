using Pegasus.Meta.State;
using Pegasus.Protocol;

namespace Pegasus.Meta.Tables;

public sealed partial class TableManager
{
    /// <summary>Gets the current view's partitions of available tables, or nothing when this server does not lead.</summary>
    /// <returns>Per table, its record and partitions.</returns>
    internal IReadOnlyList<StoredTable> GetAvailableTables()
        => CurrentView is { } view && _leadership.IsLeader ? [.. view.Available.Values] : [];

    /// <summary>
    /// Changes one partition's configuration (DESIGN invariant 1): <paramref name="change"/> sees the configuration as
    /// the leader holds it and returns the next one (its ballot is raised here) or null to leave it; the change is
    /// durable in the state store before the view, beacons and routing show it.
    /// </summary>
    /// <param name="appId">The table.</param>
    /// <param name="partitionIndex">The partition.</param>
    /// <param name="change">Decides the new configuration (without touching the ballot), or null for none.</param>
    /// <param name="reason">Why, for the log.</param>
    /// <param name="cancellationToken">Cancels waiting; once the store write starts it completes.</param>
    /// <returns>The configuration after the call (changed or not); <see cref="ErrorCode.AppNotExist"/>; or a leadership error.</returns>
    public async Task<TableResult<PartitionConfigurationRecord>> ChangePartitionAsync(
        int appId,
        int partitionIndex,
        Func<PartitionConfigurationRecord, PartitionConfigurationRecord?> change,
        string reason,
        CancellationToken cancellationToken)
    {
        var (_, error) = await AcquireViewAsync(cancellationToken);
        if (error.Code != ErrorCode.Ok)
        {
            return TableResult<PartitionConfigurationRecord>.Fail(error.Code, error.Message);
        }

        return await WriteUnderGateAsync(async (view, leadershipToken) =>
        {
            if (!view.ById.TryGetValue(appId, out var stored)
                || stored.Table.Value.Status != TableStatus.Available
                || partitionIndex < 0
                || partitionIndex >= stored.Partitions.Count)
            {
                return TableResult<PartitionConfigurationRecord>.Fail(ErrorCode.AppNotExist, $"Partition {appId}.{partitionIndex} does not exist.");
            }

            var current = stored.Partitions[partitionIndex];
            if (change(current.Value) is not { } next)
            {
                return TableResult<PartitionConfigurationRecord>.Ok(current.Value);
            }

            var updated = next with { PartitionIndex = partitionIndex, Ballot = current.Value.Ballot + 1 };
            var written = await WriteAsync(() => _store.UpdatePartitionAsync(appId, current, updated, leadershipToken), leadershipToken);
            if (written.Error is { } failed)
            {
                return TableResult<PartitionConfigurationRecord>.Fail(failed.Code, failed.Message);
            }

            if (written.Result.Status != StoreWriteStatus.Ok)
            {
                await ReloadAfterConflictAsync("reconfigure", $"{appId}.{partitionIndex}", written.Result.Status, cancellationToken);
                return TableResult<PartitionConfigurationRecord>.Fail(ErrorCode.ServiceNotActive, "The cluster state changed under this meta server; retry.");
            }

            _view = view.WithPartition(appId, written.Result.Value);
            LogPartitionReconfigured(
                _logger, appId, partitionIndex, updated.Ballot, updated.Primary ?? "-", string.Join(',', updated.Secondaries), string.Join(',', updated.LearnerNodes), reason);
            return TableResult<PartitionConfigurationRecord>.Ok(updated);
        }, cancellationToken);
    }

    [LoggerMessage(EventId = (int)Diagnostics.MetaEventIds.PartitionReconfigured, Level = LogLevel.Information,
        Message = "Partition {AppId}.{PartitionIndex} ballot {Ballot}: primary {Primary}, secondaries [{Secondaries}], learners [{Learners}] ({Reason})")]
    private static partial void LogPartitionReconfigured(
        ILogger logger, int appId, int partitionIndex, long ballot, string primary, string secondaries, string learners, string reason);
}
