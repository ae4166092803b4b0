using System.Globalization;
using Pegasus.Replica.Diagnostics;

namespace Pegasus.Replica.Replication;

public sealed partial class ReplicaManager
{
    // How often the data directory is scanned for replicas nobody assigns; beacons come far more often.
    private static readonly TimeSpan RemovedReplicaScanInterval = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _removedReplicaRetention;

    // Replica directories on disk that no assignment names, and since when (a timestamp of the manager's clock).
    private readonly Dictionary<ReplicaId, long> _unassignedSince = [];
    private long? _lastRemovedReplicaScan;

    /// <summary>
    /// Deletes the data of replicas this node no longer holds once they have gone unassigned for
    /// <see cref="Hosting.ReplicaOptions.RemovedReplicaRetention"/>: a replica the meta removed from its partition (its
    /// server was dead for a while, or rebalancing moved it) would otherwise stay on disk for good. Until then it can
    /// come back cheaply: reassigned, it opens its data and learns only what it missed.
    /// </summary>
    private void CollectRemovedReplicasLocked(HashSet<ReplicaId> assigned, HashSet<int> dropped)
    {
        var now = _timeProvider.GetTimestamp();
        if (_lastRemovedReplicaScan is { } last && _timeProvider.GetElapsedTime(last, now) < RemovedReplicaScanInterval)
        {
            return;
        }

        _lastRemovedReplicaScan = now;
        var onDisk = new HashSet<ReplicaId>();
        try
        {
            foreach (var directory in Directory.EnumerateDirectories(_dataDirectory))
            {
                if (ReplicaId.TryParseDirectoryName(Path.GetFileName(directory), out var id))
                {
                    onDisk.Add(id);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWarningRemovedReplicaDeleteFailed(_logger, exception, _dataDirectory);
            return;
        }

        foreach (var id in _unassignedSince.Keys.Where(id => !onDisk.Contains(id)).ToList())
        {
            _unassignedSince.Remove(id);
        }

        foreach (var id in onDisk)
        {
            // Held, closing (its store may still be open) or of a dropped table (deleted on its own path): not garbage.
            if (assigned.Contains(id) || _replicas.ContainsKey(id) || _closing.ContainsKey(id) || dropped.Contains(id.AppId))
            {
                _unassignedSince.Remove(id);
                continue;
            }

            if (!_unassignedSince.TryGetValue(id, out var since))
            {
                _unassignedSince[id] = now;
                continue;
            }

            if (_timeProvider.GetElapsedTime(since, now) >= _removedReplicaRetention)
            {
                _unassignedSince.Remove(id);
                DeleteRemovedReplicaLocked(id);
            }
        }
    }

    private void DeleteRemovedReplicaLocked(ReplicaId id)
    {
        var directory = Path.Combine(_dataDirectory, id.DirectoryName);
        try
        {
            // Moved under the lock, so an assignment that comes next opens a fresh directory, never a half-deleted one;
            // the slow part runs outside it.
            var trash = Path.Combine(_dataDirectory, TrashDirectoryName);
            Directory.CreateDirectory(trash);
            var target = Path.Combine(trash, string.Create(CultureInfo.InvariantCulture, $"{id.DirectoryName}.{Environment.TickCount64}"));
            Directory.Move(directory, target);
            _ = Task.Run(() =>
            {
                try
                {
                    Directory.Delete(target, recursive: true);
                    LogInformationRemovedReplicaDeleted(_logger, id.AppId, id.PartitionIndex, _removedReplicaRetention);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // What is left in the trash goes at the next start.
                    LogWarningRemovedReplicaDeleteFailed(_logger, exception, target);
                }
            });
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWarningRemovedReplicaDeleteFailed(_logger, exception, directory);
        }
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.RemovedReplicaDeleted, Level = LogLevel.Information,
        Message = "Deleted the data of replica {AppId}.{PartitionIndex}: this node has not held it for {Retention}")]
    private static partial void LogInformationRemovedReplicaDeleted(ILogger logger, int appId, int partitionIndex, TimeSpan retention);

    [LoggerMessage(EventId = (int)ReplicaEventId.RemovedReplicaDeleteFailed, Level = LogLevel.Warning,
        Message = "Failed to delete the data of a replica this node no longer holds at {Path}")]
    private static partial void LogWarningRemovedReplicaDeleteFailed(ILogger logger, Exception exception, string path);
}
