using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Replication.Log;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Storage;

namespace Pegasus.Replica.Replication;

/// <summary>
/// One partition replica on this node: its store, its write pipeline, and the configuration the
/// meta server assigned it (ballot and role). Opening and closing run in the background; requests
/// see <see cref="Status"/> and are turned away unless the replica is serving.
/// </summary>
public sealed partial class PartitionReplica : IReplicationHost
{
    /// <summary>The mutation log's folder inside the store's directory.</summary>
    public const string LogDirectoryName = "plog";

    private readonly ReplicaResources _resources;
    private readonly ILogger _logger;

    // Guards status transitions against each other (open completing vs. close starting) and keeps
    // ballot and role changing together.
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _readersDrained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private volatile ReplicaStatus _status = ReplicaStatus.Opening;
    private volatile PartitionConfig _config;
    private volatile PartitionStore? _store;
    private volatile MutationLog? _log;
    private volatile ReplicaWritePipeline? _pipeline;
    private Task _openTask = Task.CompletedTask;
    private Task? _closeTask;

    // Reads in flight in the low bits; the sign bit is set once closing blocks new reads.
    private int _readState;

    /// <summary>Creates a replica in the <see cref="ReplicaStatus.Opening"/> state; call <see cref="StartOpening"/>.</summary>
    /// <param name="id">The replica's id.</param>
    /// <param name="directory">The store's directory.</param>
    /// <param name="partitionCount">The table's partition count.</param>
    /// <param name="config">The assigned configuration.</param>
    /// <param name="resources">What the store and pipeline are opened with.</param>
    public PartitionReplica(ReplicaId id, string directory, int partitionCount, PartitionConfig config, ReplicaResources resources)
    {
        Id = id;
        Directory = directory;
        PartitionCount = partitionCount;
        _config = config;
        _resources = resources;
        _logger = resources.LoggerFactory.CreateLogger<PartitionReplica>();
    }

    /// <summary>Gets the replica's id.</summary>
    public ReplicaId Id { get; }

    /// <summary>Gets the store's directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the table's partition count.</summary>
    public int PartitionCount { get; }

    /// <summary>Gets the replica's state.</summary>
    public ReplicaStatus Status => _status;

    /// <summary>Gets the role the meta server assigned.</summary>
    public ReplicaRole Role => _config.Role;

    /// <summary>Gets the ballot of the configuration the replica follows.</summary>
    public long Ballot => _config.Ballot;

    /// <inheritdoc/>
    public PartitionConfig Config => _config;

    /// <inheritdoc/>
    public string Self => _resources.Self;

    /// <summary>Gets the replica's committed point, or 0 while it is not open.</summary>
    public long LastCommittedDecree => _pipeline?.LastCommittedDecree ?? 0;

    /// <summary>Gets the highest decree in the replica's log, or 0 while it is not open.</summary>
    public long LastPreparedDecree => _pipeline?.LastPreparedDecree ?? 0;

    /// <summary>Gets the open store, or null.</summary>
    public PartitionStore? Store => _store;

    /// <summary>Gets the write pipeline, or null while the replica is not open.</summary>
    public ReplicaWritePipeline? Pipeline => _pipeline;

    /// <summary>Starts opening the store in the background.</summary>
    /// <param name="previousClose">A close of the same replica still under way; the store's directory is locked until it ends.</param>
    public void StartOpening(Task previousClose) => _openTask = OpenAsync(previousClose);

    /// <summary>Follows a configuration from the meta server.</summary>
    /// <param name="config">The configuration, with this replica's role in it.</param>
    /// <returns>Whether the configuration was taken; an older ballot than the replica's is ignored (invariant 3).</returns>
    public bool UpdateConfiguration(PartitionConfig config)
    {
        ReplicaWritePipeline? pipeline;
        lock (_gate)
        {
            var current = _config;
            if (config.Ballot < current.Ballot)
            {
                return false;
            }

            // The same ballot is the same configuration, except that a ballot adopted from a prepare lacks the members.
            if (config.Ballot == current.Ballot && config.Role == current.Role && current.Primary.Length > 0 && config == current)
            {
                return true;
            }

            if (config.Ballot != current.Ballot || config.Role != current.Role)
            {
                LogInformationConfigurationChanged(_logger, Id.AppId, Id.PartitionIndex, current.Ballot, config.Ballot, current.Role, config.Role);
            }

            _config = config;
            pipeline = _pipeline;
        }

        pipeline?.OnConfigChanged(config);
        StartLearningIfNeeded();
        return true;
    }

    /// <inheritdoc/>
    public void AdoptBallot(long ballot, string primary)
    {
        ReplicaWritePipeline? pipeline;
        PartitionConfig config;
        lock (_gate)
        {
            var current = _config;
            if (ballot <= current.Ballot)
            {
                return;
            }

            // Members unknown until the meta's configuration arrives; a primary sending a higher ballot means this replica is not primary.
            config = new PartitionConfig(ballot, current.Role == ReplicaRole.Learner ? ReplicaRole.Learner : ReplicaRole.Secondary, primary, [], []);
            LogInformationConfigurationChanged(_logger, Id.AppId, Id.PartitionIndex, current.Ballot, ballot, current.Role, config.Role);
            _config = config;
            pipeline = _pipeline;
        }

        pipeline?.OnConfigChanged(config);
        _resources.RequestConfigurationRefresh();
    }

    /// <inheritdoc/>
    public void SendPrepare(string target, PrepareMessage message) => _resources.Peers.Send(target, message);

    /// <inheritdoc/>
    public void ReportUnresponsive(string node, long ballot, string reason)
        => _resources.Proposals.Propose(this, ProposalKind.RemoveMember, node, ballot, reason);

    /// <summary>Tells why the replica cannot take client requests now, if it cannot.</summary>
    /// <param name="reason">Why not, when the result is false.</param>
    /// <returns>Whether the replica is open and the primary.</returns>
    public bool CanServeClients(out string reason)
    {
        var status = _status;
        if (status != ReplicaStatus.Serving)
        {
            reason = $"partition {Id} is {status.ToString().ToLowerInvariant()} on this node";
            return false;
        }

        var role = _config.Role;
        if (role != ReplicaRole.Primary)
        {
            reason = $"partition {Id} is not primary on this node (role {role})";
            return false;
        }

        reason = "";
        return true;
    }

    /// <summary>Queues a write on the replica's pipeline.</summary>
    /// <param name="request">The write.</param>
    /// <param name="response">The response to fill.</param>
    /// <param name="cancellationToken">Cancels waiting for queue space.</param>
    /// <returns>The write's completion, once it has its place in the queue.</returns>
    public ValueTask<Task<DataResponse>> EnqueueWriteAsync(DataRequest request, DataResponse response, CancellationToken cancellationToken)
    {
        if (_pipeline is { } pipeline)
        {
            // Before the decree: the mutation then carries the expire time, so every copy applies the same one.
            DefaultTtl.Apply(request, _defaultTtlSeconds, _resources.TimeProvider.GetUtcNow());
            return pipeline.EnqueueAsync(request, response, cancellationToken);
        }

        response.Error = ErrorCode.InvalidState;
        response.ErrorMessage = $"partition {Id} is not open on this node";
        return ValueTask.FromResult(Task.FromResult(response));
    }

    /// <summary>Enters a read; on success the caller must call <see cref="ExitRead"/> when done.</summary>
    /// <param name="store">The open store.</param>
    /// <returns>Whether the replica is open for reads.</returns>
    public bool TryEnterRead(out PartitionStore store)
    {
        while (true)
        {
            var state = Volatile.Read(ref _readState);
            if (state < 0)
            {
                store = null!;
                return false;
            }

            if (Interlocked.CompareExchange(ref _readState, state + 1, state) == state)
            {
                break;
            }
        }

        if (_store is { } open && _status == ReplicaStatus.Serving)
        {
            store = open;
            return true;
        }

        ExitRead();
        store = null!;
        return false;
    }

    /// <summary>Leaves a read entered with <see cref="TryEnterRead"/>.</summary>
    public void ExitRead()
    {
        // The last read out after closing blocked new ones lets the store close.
        if (Interlocked.Decrement(ref _readState) == int.MinValue)
        {
            _readersDrained.TrySetResult();
        }
    }

    /// <summary>
    /// Closes the replica: stops taking requests, rejects queued writes, waits for reads in flight,
    /// and closes the store. Safe to call more than once and while opening.
    /// </summary>
    /// <returns>A task that completes when the store is closed; it does not fail.</returns>
    public Task CloseAsync()
    {
        lock (_gate)
        {
            if (_closeTask is null)
            {
                _status = ReplicaStatus.Closing;
                _closeTask = CloseCoreAsync();
            }

            return _closeTask;
        }
    }

    private async Task OpenAsync(Task previousClose)
    {
        await previousClose.ConfigureAwait(false);
        LogInformationOpening(_logger, Id.AppId, Id.PartitionIndex, Directory);
        PartitionStore store;
        MutationLog log;
        try
        {
            // RocksDB's open does blocking I/O (and may replay its WAL), the log's replay reads every segment: keep both off the caller's thread.
            (store, log) = await Task.Run(OpenStoreAndLog).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogErrorOpenFailed(_logger, exception, Id.AppId, Id.PartitionIndex, Directory);
            lock (_gate)
            {
                if (_status == ReplicaStatus.Opening)
                {
                    _status = ReplicaStatus.Failed;
                }
            }

            return;
        }

        lock (_gate)
        {
            // A close that started while the store was opening owns the rest of the shutdown.
            if (_status == ReplicaStatus.Opening)
            {
                _store = store;
                _log = log;
                _pipeline = CreatePipeline(store, log);
                _status = ReplicaStatus.Serving;
                LogInformationOpened(_logger, Id.AppId, Id.PartitionIndex, store.LastAppliedDecree, Ballot, Role);
            }
        }

        if (_store != store)
        {
            log.Dispose();
            store.Dispose();
            return;
        }

        // A primary reconciles at once, not at its first write: its secondaries then apply what they hold.
        _pipeline?.Wake();

        StartLearningIfNeeded();
    }

    private (PartitionStore Store, MutationLog Log) OpenStoreAndLog()
    {
        var store = PartitionStore.Open(
            Directory,
            Id.AppId,
            Id.PartitionIndex,
            PartitionCount,
            _resources.Storage,
            _resources.TimeProvider,
            _resources.LoggerFactory.CreateLogger<PartitionStore>());
        try
        {
            var log = MutationLog.Open(
                Path.Combine(Directory, LogDirectoryName),
                new MutationLogOptions { FlushMode = _resources.Pipeline.LogFlushMode, FsyncInterval = _resources.Pipeline.LogFsyncInterval },
                _resources.TimeProvider,
                _resources.LoggerFactory.CreateLogger<MutationLog>());
            return (store, log);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private ReplicaWritePipeline CreatePipeline(PartitionStore store, MutationLog log) => new(
        store,
        log,
        this,
        _resources.Pipeline,
        _resources.TimeProvider,
        _resources.Instruments,
        _resources.LoggerFactory.CreateLogger<ReplicaWritePipeline>());

    private async Task CloseCoreAsync()
    {
        LogInformationClosing(_logger, Id.AppId, Id.PartitionIndex);
        try
        {
            await _openTask.ConfigureAwait(false);
            await StopLearningAsync().ConfigureAwait(false);
            if (_pipeline is { } pipeline)
            {
                await pipeline.DisposeAsync().ConfigureAwait(false);
            }

            // Reads run on the store directly; it may close only once the last one is out.
            if (Interlocked.Or(ref _readState, int.MinValue) == 0)
            {
                _readersDrained.TrySetResult();
            }

            await _readersDrained.Task.ConfigureAwait(false);
            _log?.Dispose();
            _store?.Dispose();
            LogInformationClosed(_logger, Id.AppId, Id.PartitionIndex);
        }
        catch (Exception exception)
        {
            LogErrorCloseFailed(_logger, exception, Id.AppId, Id.PartitionIndex);
        }
        finally
        {
            _status = ReplicaStatus.Closed;
        }
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.ReplicaOpening, Level = LogLevel.Information,
        Message = "Opening replica {AppId}.{PartitionIndex} in {Directory}")]
    private static partial void LogInformationOpening(ILogger logger, int appId, int partitionIndex, string directory);

    [LoggerMessage(EventId = (int)ReplicaEventId.ReplicaOpened, Level = LogLevel.Information,
        Message = "Replica {AppId}.{PartitionIndex} open at decree {Decree}, ballot {Ballot}, role {Role}")]
    private static partial void LogInformationOpened(ILogger logger, int appId, int partitionIndex, long decree, long ballot, ReplicaRole role);

    [LoggerMessage(EventId = (int)ReplicaEventId.ReplicaOpenFailed, Level = LogLevel.Error,
        Message = "Opening replica {AppId}.{PartitionIndex} in {Directory} failed")]
    private static partial void LogErrorOpenFailed(ILogger logger, Exception exception, int appId, int partitionIndex, string directory);

    [LoggerMessage(EventId = (int)ReplicaEventId.ReplicaClosing, Level = LogLevel.Information,
        Message = "Closing replica {AppId}.{PartitionIndex}")]
    private static partial void LogInformationClosing(ILogger logger, int appId, int partitionIndex);

    [LoggerMessage(EventId = (int)ReplicaEventId.ReplicaClosed, Level = LogLevel.Information,
        Message = "Replica {AppId}.{PartitionIndex} closed")]
    private static partial void LogInformationClosed(ILogger logger, int appId, int partitionIndex);

    [LoggerMessage(EventId = (int)ReplicaEventId.ReplicaCloseFailed, Level = LogLevel.Error,
        Message = "Closing replica {AppId}.{PartitionIndex} failed")]
    private static partial void LogErrorCloseFailed(ILogger logger, Exception exception, int appId, int partitionIndex);

    [LoggerMessage(EventId = (int)ReplicaEventId.ReplicaConfigurationChanged, Level = LogLevel.Information,
        Message = "Replica {AppId}.{PartitionIndex} configuration: ballot {OldBallot} -> {NewBallot}, role {OldRole} -> {NewRole}")]
    private static partial void LogInformationConfigurationChanged(
        ILogger logger, int appId, int partitionIndex, long oldBallot, long newBallot, ReplicaRole oldRole, ReplicaRole newRole);
}
