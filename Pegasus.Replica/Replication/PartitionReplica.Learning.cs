using System.Globalization;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Diagnostics;

namespace Pegasus.Replica.Replication;

public sealed partial class PartitionReplica
{
    /// <summary>Checkpoints made for learners, under the node's data directory.</summary>
    public const string CheckpointsDirectoryName = ".checkpoints";

    /// <summary>Checkpoint copies a learner is receiving, under the node's data directory.</summary>
    public const string LearningDirectoryName = ".learn";

    private static readonly TimeSpan CheckpointLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LearnRetryDelay = TimeSpan.FromMilliseconds(500);

    private CancellationTokenSource? _learning;
    private Task _learnTask = Task.CompletedTask;

    /// <summary>
    /// Makes a checkpoint of the store for a learner (called by the pipeline under its lock, so it is exactly the
    /// applied point) and lists its files.
    /// </summary>
    /// <returns>The checkpoint's id and files.</returns>
    public (string Id, IReadOnlyList<CheckpointFile> Files) CreateCheckpoint()
    {
        var root = Path.Combine(_resources.DataDirectory, CheckpointsDirectoryName);
        System.IO.Directory.CreateDirectory(root);
        PurgeOldCheckpoints(root);
        var id = string.Create(CultureInfo.InvariantCulture, $"{Id}.{Guid.NewGuid():N}");
        var directory = Path.Combine(root, id);
        var store = _store ?? throw new InvalidOperationException($"partition {Id} is not open");
        store.CreateCheckpoint(directory);
        var files = new DirectoryInfo(directory).EnumerateFiles()
            .Select(file => new CheckpointFile { Name = file.Name, Size = file.Length })
            .ToList();
        LogInformationCheckpointCreated(_logger, Id.AppId, Id.PartitionIndex, store.LastAppliedDecree, files.Count, files.Sum(f => f.Size));
        return (id, files);
    }

    /// <summary>Finds a file of a checkpoint this node made, refusing names that leave the checkpoint's folder.</summary>
    /// <param name="dataDirectory">The node's data directory.</param>
    /// <param name="checkpointId">The checkpoint's id.</param>
    /// <param name="name">The file's name.</param>
    /// <returns>The file's path, or null when there is no such file.</returns>
    public static string? FindCheckpointFile(string dataDirectory, string checkpointId, string name)
    {
        if (checkpointId.Length == 0 || name.Length == 0
            || checkpointId.IndexOfAny(['/', '\\']) >= 0 || name.IndexOfAny(['/', '\\']) >= 0
            || checkpointId.StartsWith('.') || name.StartsWith('.'))
        {
            return null;
        }

        var path = Path.Combine(dataDirectory, CheckpointsDirectoryName, checkpointId, name);
        return File.Exists(path) ? path : null;
    }

    private void StartLearningIfNeeded()
    {
        lock (_gate)
        {
            if (_config.Role != ReplicaRole.Learner || _status != ReplicaStatus.Serving || !_learnTask.IsCompleted)
            {
                return;
            }

            _learning?.Dispose();
            _learning = new CancellationTokenSource();
            var token = _learning.Token;
            _learnTask = Task.Run(() => LearnLoopAsync(token));
        }
    }

    private async Task StopLearningAsync()
    {
        CancellationTokenSource? learning;
        lock (_gate)
        {
            learning = _learning;
        }

        if (learning is not null)
        {
            await learning.CancelAsync().ConfigureAwait(false);
        }

        await _learnTask.ConfigureAwait(false);
    }

    private async Task LearnLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && _config.Role == ReplicaRole.Learner && _status == ReplicaStatus.Serving)
        {
            try
            {
                if (await LearnOnceAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogWarningLearningFailed(_logger, exception, Id.AppId, Id.PartitionIndex, _config.Primary);
            }

            try
            {
                await Task.Delay(LearnRetryDelay, _resources.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One attempt to catch up with the primary and join as a secondary.</summary>
    /// <returns>True when done (joined, or no longer a learner); false to try again.</returns>
    private async Task<bool> LearnOnceAsync(CancellationToken cancellationToken)
    {
        var config = _config;
        if (config.Role != ReplicaRole.Learner || config.Primary.Length == 0)
        {
            return config.Role != ReplicaRole.Learner;
        }

        var pipeline = _pipeline ?? throw new InvalidOperationException($"partition {Id} is not open");
        var client = _resources.Peers.GetClient(config.Primary);
        var applied = pipeline.LastCommittedDecree;
        LogInformationLearningStarted(_logger, Id.AppId, Id.PartitionIndex, config.Primary, config.Ballot, applied);
        var start = await client.StartLearningAsync(
            new StartLearningRequest { AppId = Id.AppId, PartitionIndex = Id.PartitionIndex, Ballot = config.Ballot, Learner = Self, LearnerAppliedDecree = applied },
            deadline: DateTime.UtcNow.AddSeconds(30),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (start.Error != ErrorCode.Ok)
        {
            throw new InvalidOperationException($"the primary refused to teach: {start.Error} {start.ErrorMessage}");
        }

        if (!start.LogOnly)
        {
            var copy = await CopyCheckpointAsync(client, start, cancellationToken).ConfigureAwait(false);
            pipeline = await InstallCheckpointAsync(copy).ConfigureAwait(false);
        }

        // The tail, in pieces while the primary's log is long; the last piece makes this replica a streaming learner.
        var tail = new List<MutationEntry>();
        var from = pipeline.LastCommittedDecree + 1;
        FetchLogTailResponse response;
        do
        {
            response = await client.FetchLogTailAsync(
                new FetchLogTailRequest { AppId = Id.AppId, PartitionIndex = Id.PartitionIndex, Ballot = config.Ballot, Learner = Self, FromDecree = from },
                deadline: DateTime.UtcNow.AddSeconds(30),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (response.Error != ErrorCode.Ok)
            {
                throw new InvalidOperationException($"the primary refused the log tail: {response.Error} {response.ErrorMessage}");
            }

            tail.AddRange(response.Mutations);
            if (response.Mutations.Count > 0)
            {
                from = response.Mutations[^1].Decree + 1;
            }
        }
        while (!response.Complete);

        pipeline.InstallLogTail(tail, response.CommittedDecree);
        return await JoinAsync(config.Primary, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the meta leader to make this learner a secondary, following ballots the primary alone moved meanwhile.</summary>
    private async Task<bool> JoinAsync(string primary, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var config = _config;
            if (config.Role != ReplicaRole.Learner)
            {
                return true;
            }

            if (config.Primary != primary || _pipeline is not { IsLearnerStreaming: true })
            {
                return false;
            }

            var answer = await _resources.Proposals.ProposeAsync(this, ProposalKind.LearnerReady, Self, config.Ballot, "caught up", cancellationToken).ConfigureAwait(false);
            if (answer?.Configuration is { } configuration && PartitionConfig.From(configuration, Self) is { } next)
            {
                UpdateConfiguration(next);
                if (answer.Error == ErrorCode.Ok)
                {
                    LogInformationLearningCompleted(_logger, Id.AppId, Id.PartitionIndex, next.Ballot, LastCommittedDecree);
                    return true;
                }

                continue;
            }

            await Task.Delay(LearnRetryDelay, _resources.TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    private async Task<string> CopyCheckpointAsync(ReplicaReplication.ReplicaReplicationClient client, StartLearningResponse start, CancellationToken cancellationToken)
    {
        var root = Path.Combine(_resources.DataDirectory, LearningDirectoryName, Id.DirectoryName);
        var target = Path.Combine(root, start.CheckpointId);

        // Copies of other checkpoints are of no use any more; one of this checkpoint resumes where it stopped.
        if (System.IO.Directory.Exists(root))
        {
            foreach (var stale in System.IO.Directory.EnumerateDirectories(root).Where(d => d != target))
            {
                System.IO.Directory.Delete(stale, recursive: true);
            }
        }

        System.IO.Directory.CreateDirectory(target);
        foreach (var file in start.Files)
        {
            var path = Path.Combine(target, Path.GetFileName(file.Name));
            var offset = File.Exists(path) ? new FileInfo(path).Length : 0;
            if (offset > file.Size)
            {
                File.Delete(path);
                offset = 0;
            }

            if (offset < file.Size)
            {
                await using var output = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                using var call = client.FetchCheckpointFile(
                    new FetchCheckpointFileRequest { AppId = Id.AppId, PartitionIndex = Id.PartitionIndex, CheckpointId = start.CheckpointId, Name = file.Name, Offset = offset },
                    cancellationToken: cancellationToken);
                while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    await output.WriteAsync(call.ResponseStream.Current.Data.Memory, cancellationToken).ConfigureAwait(false);
                }

                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }

            if (new FileInfo(path).Length != file.Size)
            {
                throw new IOException($"checkpoint file {file.Name} is {new FileInfo(path).Length} bytes after the copy, not {file.Size}");
            }
        }

        return target;
    }

    /// <summary>Replaces the store (and log) with a copied checkpoint; the log restarts at the checkpoint's decree.</summary>
    private async Task<ReplicaWritePipeline> InstallCheckpointAsync(string checkpoint)
    {
        ReplicaWritePipeline? old;
        lock (_gate)
        {
            if (_status != ReplicaStatus.Serving)
            {
                throw new OperationCanceledException($"partition {Id} is closing");
            }

            old = _pipeline;
            _pipeline = null;
        }

        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }

        var (oldStore, oldLog) = (_store, _log);
        _store = null;
        _log = null;
        oldLog?.Dispose();
        oldStore?.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        System.IO.Directory.Move(checkpoint, Directory);
        var (store, log) = await Task.Run(OpenStoreAndLog).ConfigureAwait(false);
        lock (_gate)
        {
            if (_status == ReplicaStatus.Serving)
            {
                _store = store;
                _log = log;
                _pipeline = CreatePipeline(store, log);
                return _pipeline;
            }
        }

        log.Dispose();
        store.Dispose();
        throw new OperationCanceledException($"partition {Id} is closing");
    }

    private static void PurgeOldCheckpoints(string root)
    {
        foreach (var directory in System.IO.Directory.EnumerateDirectories(root))
        {
            try
            {
                if (DateTime.UtcNow - System.IO.Directory.GetCreationTimeUtc(directory) > CheckpointLifetime)
                {
                    System.IO.Directory.Delete(directory, recursive: true);
                }
            }
            catch (IOException)
            {
                // Being read by a learner, or removed by another purge: the next purge retries.
            }
        }
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.LearningStarted, Level = LogLevel.Information,
        Message = "Replica {AppId}.{PartitionIndex} learns from {Primary} at ballot {Ballot}, applied up to {Applied}")]
    private static partial void LogInformationLearningStarted(ILogger logger, int appId, int partitionIndex, string primary, long ballot, long applied);

    [LoggerMessage(EventId = (int)ReplicaEventId.LearningCompleted, Level = LogLevel.Information,
        Message = "Replica {AppId}.{PartitionIndex} joined as a secondary at ballot {Ballot}, applied up to {Applied}")]
    private static partial void LogInformationLearningCompleted(ILogger logger, int appId, int partitionIndex, long ballot, long applied);

    [LoggerMessage(EventId = (int)ReplicaEventId.LearningFailed, Level = LogLevel.Warning,
        Message = "Replica {AppId}.{PartitionIndex} failed to learn from {Primary}; retrying")]
    private static partial void LogWarningLearningFailed(ILogger logger, Exception exception, int appId, int partitionIndex, string primary);

    [LoggerMessage(EventId = (int)ReplicaEventId.CheckpointCreated, Level = LogLevel.Information,
        Message = "Replica {AppId}.{PartitionIndex} made a checkpoint at decree {Decree} for a learner: {Files} files, {Bytes} bytes")]
    private static partial void LogInformationCheckpointCreated(ILogger logger, int appId, int partitionIndex, long decree, int files, long bytes);
}
