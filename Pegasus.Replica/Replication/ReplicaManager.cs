using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Pegasus.Protocol.Meta;
using Pegasus.Replica.Diagnostics;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Hosting;
using Pegasus.Replica.Replication.Peers;
using Pegasus.Replica.Storage;

namespace Pegasus.Replica.Replication;

/// <summary>
/// The partition replicas this node holds, keyed by (app id, partition index). The meta server's
/// beacon answers drive it: assigned replicas are opened (or follow the new ballot), replicas no
/// longer assigned are closed, and the data of dropped tables is deleted.
/// </summary>
/// <remarks>
/// Layout under <see cref="ReplicaOptions.DataDirectory"/>:
/// <code>
/// &lt;appId&gt;.&lt;partitionIndex&gt;/   one replica's store (the same path after a restart, so data persists)
/// .gar/                             data of dropped tables, moved here, then deleted
/// </code>
/// </remarks>
public sealed partial class ReplicaManager : IHostedService
{
    private const string TrashDirectoryName = ".gar";

    private readonly string _dataDirectory;
    private readonly ReplicaResources _resources;
    private readonly ILogger<ReplicaManager> _logger;
    private readonly ConcurrentDictionary<ReplicaId, PartitionReplica> _replicas = new();

    // Guards changes to the replica set and the closes under way; request lookups read the
    // concurrent dictionary without it.
    private readonly Lock _gate = new();
    private readonly Dictionary<ReplicaId, Task> _closing = [];
    private readonly HashSet<int> _droppedAppsHandled = [];
    private readonly SemaphoreSlim _refresh = new(0);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the manager.</summary>
    /// <param name="options">The replica options.</param>
    /// <param name="storageOptions">The store options.</param>
    /// <param name="timeProvider">The clock for TTLs and sweeps.</param>
    /// <param name="instruments">Metrics.</param>
    /// <param name="peers">Streams to peer replica servers.</param>
    /// <param name="proposals">Configuration proposals to the meta leader.</param>
    /// <param name="loggerFactory">Creates loggers.</param>
    public ReplicaManager(
        IOptions<ReplicaOptions> options,
        IOptions<StorageOptions> storageOptions,
        TimeProvider timeProvider,
        ReplicaInstruments instruments,
        PeerStreamPool peers,
        IConfigurationProposer proposals,
        ILoggerFactory loggerFactory)
    {
        var replicaOptions = options.Value;
        _dataDirectory = Path.GetFullPath(replicaOptions.DataDirectory);
        _timeProvider = timeProvider;
        _removedReplicaRetention = replicaOptions.RemovedReplicaRetention;
        _resources = new ReplicaResources(
            storageOptions.Value,
            new WritePipelineSettings(
                replicaOptions.WriteQueueCapacity,
                replicaOptions.MaxWriteBatchSize,
                replicaOptions.ExpiredSweepInterval,
                replicaOptions.ExpiredSweepBatchSize)
            {
                PrepareTimeout = replicaOptions.PrepareTimeout,
                LogFlushMode = replicaOptions.LogFlushMode,
                LogFsyncInterval = replicaOptions.LogFsyncInterval,
                LogRetainedDecrees = replicaOptions.LogRetainedDecrees,
                WriteSessionLifetime = replicaOptions.WriteSessionLifetime,
            },
            timeProvider,
            instruments,
            loggerFactory)
        {
            Self = replicaOptions.AdvertisedAddress,
            DataDirectory = _dataDirectory,
            Peers = peers,
            Proposals = proposals,
            RequestConfigurationRefresh = RequestConfigurationRefresh,
        };
        _logger = loggerFactory.CreateLogger<ReplicaManager>();
        peers.AckReceived += OnPrepareAck;
        peers.PeerFailed += OnPeerFailed;
        instruments.Meter.CreateObservableGauge(
            "pegasus.replica.replicas", MeasureReplicaCounts, "{replica}", "Partition replicas on this node, by role and status.");
        instruments.Meter.CreateObservableGauge(
            "pegasus.replica.decree_lag",
            MeasureDecreeLags,
            "{decree}",
            "Per partition this node leads and per secondary: decrees the primary prepared that the secondary has not acknowledged.");
    }

    /// <summary>Gets the number of replicas held (in any state but closed).</summary>
    public int Count => _replicas.Count;

    /// <summary>Finds a replica held by this node.</summary>
    /// <param name="appId">The table's app id.</param>
    /// <param name="partitionIndex">The partition index.</param>
    /// <param name="replica">The replica, when held.</param>
    /// <returns>Whether this node holds the replica.</returns>
    public bool TryGetReplica(int appId, int partitionIndex, out PartitionReplica replica) =>
        _replicas.TryGetValue(new ReplicaId(appId, partitionIndex), out replica!);

    /// <summary>Describes the held replicas for a beacon.</summary>
    /// <returns>One state per replica.</returns>
    public List<ReplicaState> GetReplicaStates()
    {
        var states = new List<ReplicaState>(_replicas.Count);
        foreach (var replica in _replicas.Values)
        {
            states.Add(new ReplicaState
            {
                AppId = replica.Id.AppId,
                PartitionIndex = replica.Id.PartitionIndex,
                Ballot = replica.Ballot,

                // A replica whose store failed to open holds no data it could serve.
                Role = replica.Status == ReplicaStatus.Failed ? ReplicaRole.Inactive : replica.Role,
                LastCommittedDecree = replica.LastCommittedDecree,
                LastPreparedDecree = replica.LastPreparedDecree,
            });
        }

        return states;
    }

    /// <summary>Applies the meta leader's answer to a beacon.</summary>
    /// <param name="assignments">Every replica this node should hold.</param>
    /// <param name="droppedAppIds">Tables that were dropped; their data is deleted.</param>
    public void ApplyAssignments(IEnumerable<ReplicaAssignment> assignments, IEnumerable<int> droppedAppIds)
    {
        var dropped = droppedAppIds.ToHashSet();
        var assigned = new HashSet<ReplicaId>();
        lock (_gate)
        {
            foreach (var assignment in assignments)
            {
                var id = new ReplicaId(assignment.AppId, assignment.PartitionIndex);
                if (assignment.Role == ReplicaRole.Inactive || dropped.Contains(id.AppId) || !assigned.Add(id))
                {
                    continue;
                }

                if (_replicas.TryGetValue(id, out var replica) && replica.Status != ReplicaStatus.Failed)
                {
                    replica.ApplyEnvs(assignment.Envs);
                    if (!replica.UpdateConfiguration(PartitionConfig.From(assignment)))
                    {
                        LogWarningStaleAssignment(_logger, id.AppId, id.PartitionIndex, assignment.Ballot, replica.Ballot);
                    }

                    continue;
                }

                if (replica is not null)
                {
                    // Its store failed to open; close what is left and try again.
                    CloseLocked(replica);
                }

                Open(id, assignment);
            }

            foreach (var (id, replica) in _replicas)
            {
                if (!assigned.Contains(id))
                {
                    CloseLocked(replica);
                }
            }

            foreach (var appId in dropped)
            {
                if (_droppedAppsHandled.Add(appId))
                {
                    var closes = _closing.Where(pair => pair.Key.AppId == appId).Select(pair => pair.Value).ToArray();
                    _ = DeleteAppDataAsync(appId, closes);
                }
            }

            CollectRemovedReplicasLocked(assigned, dropped);
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_dataDirectory);

        // Dropped data whose deletion a crash interrupted, checkpoints made for learners, copies of unfinished learning.
        foreach (var trash in new[] { TrashDirectoryName, PartitionReplica.CheckpointsDirectoryName, PartitionReplica.LearningDirectoryName }
            .Select(name => Path.Combine(_dataDirectory, name))
            .Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(trash, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                LogWarningTrashPurgeFailed(_logger, exception, trash);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] closes;
        lock (_gate)
        {
            foreach (var replica in _replicas.Values)
            {
                CloseLocked(replica);
            }

            closes = [.. _closing.Values];
        }

        await Task.WhenAll(closes).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks for a beacon round now: a replica saw a ballot newer than the configuration it holds.</summary>
    public void RequestConfigurationRefresh() => _refresh.Release();

    /// <summary>Completes when a refresh was requested (see <see cref="RequestConfigurationRefresh"/>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes on a request.</returns>
    public async Task WaitForRefreshRequestAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);

        // Requests that piled up meanwhile are all answered by the one round.
        while (_refresh.CurrentCount > 0 && _refresh.Wait(0))
        {
        }
    }

    /// <summary>Logs a primary's prepare on the replica it is for and answers it (null when no answer is due).</summary>
    /// <param name="message">The prepare.</param>
    /// <returns>The acknowledgement, and the replica whose committed mutations to apply once it is sent.</returns>
    public (PrepareAck? Ack, ReplicaWritePipeline? Pipeline) HandlePrepare(PrepareMessage message)
    {
        if (!_replicas.TryGetValue(new ReplicaId(message.AppId, message.PartitionIndex), out var replica) || replica.Pipeline is not { } pipeline)
        {
            // A message that only moves the committed point needs no answer: a replica still opening (a new table) must
            // not be reported for missing it, it applies the committed point the next message brings.
            if (message.Mutations.Count == 0)
            {
                return (null, null);
            }

            return (new PrepareAck
            {
                AppId = message.AppId,
                PartitionIndex = message.PartitionIndex,
                Ballot = message.Ballot,
                Error = Protocol.ErrorCode.ObjectNotFound,
                ErrorMessage = $"partition {message.AppId}.{message.PartitionIndex} is not open on this node",
            }, null);
        }

        return (pipeline.OnPrepare(message), pipeline);
    }

    private void OnPrepareAck(string peer, PrepareAck ack)
    {
        if (_replicas.TryGetValue(new ReplicaId(ack.AppId, ack.PartitionIndex), out var replica))
        {
            replica.Pipeline?.OnPrepareAck(peer, ack);
        }
    }

    private void OnPeerFailed(string peer)
    {
        foreach (var replica in _replicas.Values)
        {
            replica.Pipeline?.OnPeerFailed(peer);
        }
    }

    private void Open(ReplicaId id, ReplicaAssignment assignment)
    {
        var replica = new PartitionReplica(
            id,
            Path.Combine(_dataDirectory, id.DirectoryName),
            assignment.PartitionCount,
            PartitionConfig.From(assignment),
            _resources);
        replica.ApplyEnvs(assignment.Envs);
        _replicas[id] = replica;
        replica.StartOpening(_closing.GetValueOrDefault(id) ?? Task.CompletedTask);
    }

    private void CloseLocked(PartitionReplica replica)
    {
        _replicas.TryRemove(new KeyValuePair<ReplicaId, PartitionReplica>(replica.Id, replica));
        var close = replica.CloseAsync();
        _closing[replica.Id] = close;
        _ = close.ContinueWith(
            (_, state) =>
            {
                lock (_gate)
                {
                    // A later close of a reopened replica may have taken the slot.
                    var id = (ReplicaId)state!;
                    if (_closing.TryGetValue(id, out var current) && current == close)
                    {
                        _closing.Remove(id);
                    }
                }
            },
            replica.Id,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task DeleteAppDataAsync(int appId, Task[] closes)
    {
        await Task.WhenAll(closes).ConfigureAwait(false);
        try
        {
            if (!Directory.Exists(_dataDirectory))
            {
                return;
            }

            var trash = Path.Combine(_dataDirectory, TrashDirectoryName);
            foreach (var directory in Directory.EnumerateDirectories(_dataDirectory))
            {
                var name = Path.GetFileName(directory);
                if (!ReplicaId.TryParseDirectoryName(name, out var id) || id.AppId != appId)
                {
                    continue;
                }

                // Moving first is atomic: a crash mid-delete leaves garbage in .gar, never a
                // half-deleted store that a later assignment could open.
                Directory.CreateDirectory(trash);
                var target = Path.Combine(
                    trash, string.Create(CultureInfo.InvariantCulture, $"{name}.{Environment.TickCount64}"));
                Directory.Move(directory, target);
                Directory.Delete(target, recursive: true);
                LogInformationAppDataDeleted(_logger, id.AppId, id.PartitionIndex);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWarningAppDataDeleteFailed(_logger, exception, appId);
        }
    }

    private List<Measurement<long>> MeasureDecreeLags()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var replica in _replicas.Values)
        {
            if (replica.Pipeline is not { } pipeline)
            {
                continue;
            }

            foreach (var (secondary, lag) in pipeline.SecondaryLags())
            {
                measurements.Add(new Measurement<long>(
                    lag,
                    new KeyValuePair<string, object?>("pegasus.app_id", replica.Id.AppId),
                    new KeyValuePair<string, object?>("pegasus.partition_index", replica.Id.PartitionIndex),
                    new KeyValuePair<string, object?>("pegasus.secondary", secondary)));
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<int>> MeasureReplicaCounts()
    {
        return _replicas.Values
            .GroupBy(replica => (replica.Role, replica.Status))
            .Select(group => new Measurement<int>(
                group.Count(),
                new KeyValuePair<string, object?>("pegasus.role", group.Key.Role.ToString()),
                new KeyValuePair<string, object?>("pegasus.status", group.Key.Status.ToString())))
            .ToList();
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.StaleAssignmentIgnored, Level = LogLevel.Warning,
        Message = "Ignoring assignment of replica {AppId}.{PartitionIndex} with ballot {Ballot}, older than its ballot {CurrentBallot}")]
    private static partial void LogWarningStaleAssignment(ILogger logger, int appId, int partitionIndex, long ballot, long currentBallot);

    [LoggerMessage(EventId = (int)ReplicaEventId.AppDataDeleted, Level = LogLevel.Information,
        Message = "Deleted the data of replica {AppId}.{PartitionIndex} of a dropped table")]
    private static partial void LogInformationAppDataDeleted(ILogger logger, int appId, int partitionIndex);

    [LoggerMessage(EventId = (int)ReplicaEventId.AppDataDeleteFailed, Level = LogLevel.Warning,
        Message = "Deleting the data of dropped table {AppId} failed")]
    private static partial void LogWarningAppDataDeleteFailed(ILogger logger, Exception exception, int appId);

    [LoggerMessage(EventId = (int)ReplicaEventId.TrashPurgeFailed, Level = LogLevel.Warning,
        Message = "Purging dropped data in {Trash} failed")]
    private static partial void LogWarningTrashPurgeFailed(ILogger logger, Exception exception, string trash);
}
