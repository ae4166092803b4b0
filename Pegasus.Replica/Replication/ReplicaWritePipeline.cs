using System.Threading.Channels;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Storage;

namespace Pegasus.Replica.Replication;

/// <summary>
/// The single writer of one partition replica. Every write goes through its queue and one loop
/// that, per batch of queued writes, runs three stages:
/// <list type="number">
/// <item><description>sequence: give each write the next decree under the current ballot (a <see cref="Mutation"/>);</description></item>
/// <item><description>commit: PacificA's place for appending to the mutation log and preparing to the secondaries;</description></item>
/// <item><description>apply: hand the mutations to the store in decree order and answer each caller.</description></item>
/// </list>
/// The same loop sweeps expired records between batches, so a sweep never races a write.
/// </summary>
public sealed partial class ReplicaWritePipeline : IAsyncDisposable
{
    private readonly PartitionStore _store;
    private readonly Func<long> _currentBallot;
    private readonly WritePipelineSettings _settings;
    private readonly ReplicaInstruments? _instruments;
    private readonly ILogger _logger;
    private readonly Channel<QueueItem> _queue;
    private readonly ITimer _sweepTimer;
    private readonly Task _loop;

    // Written only by the loop; read by beacons and tests.
    private long _lastAssignedDecree;
    private long _lastCommittedDecree;
    private long _expiredSwept;

    // Set by the sweep timer, cleared by the loop; an int for Interlocked.
    private int _sweepDue;

    // Set once closing starts: the loop answers whatever is still queued without applying it.
    private volatile bool _closing;

    // Set when the store failed a write: its state past that decree is unknown, so nothing more is applied.
    private volatile string? _faultReason;

    /// <summary>Starts the writer loop of an opened store.</summary>
    /// <param name="store">The replica's store; the pipeline is its only writer from now on.</param>
    /// <param name="currentBallot">Reads the replica's current ballot (it changes with the meta's assignments).</param>
    /// <param name="settings">Queue, batch and sweep settings.</param>
    /// <param name="timeProvider">The clock that drives expired-record sweeps.</param>
    /// <param name="instruments">Metrics, or null.</param>
    /// <param name="logger">The logger.</param>
    public ReplicaWritePipeline(
        PartitionStore store,
        Func<long> currentBallot,
        WritePipelineSettings settings,
        TimeProvider timeProvider,
        ReplicaInstruments? instruments,
        ILogger logger)
    {
        _store = store;
        _currentBallot = currentBallot;
        _settings = settings;
        _instruments = instruments;
        _logger = logger;
        _lastAssignedDecree = store.LastAppliedDecree;
        _lastCommittedDecree = store.LastAppliedDecree;

        // Bounded, so a flood of writes waits at the stream instead of piling up in memory.
        // Waiting writers are admitted in arrival order, which keeps a stream's writes in order.
        _queue = Channel.CreateBounded<QueueItem>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _sweepTimer = timeProvider.CreateTimer(
            static state => ((ReplicaWritePipeline)state!).RequestSweep(),
            this,
            settings.ExpiredSweepInterval,
            settings.ExpiredSweepInterval);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Gets the decree given to the latest sequenced write.</summary>
    public long LastAssignedDecree => Volatile.Read(ref _lastAssignedDecree);

    /// <summary>Gets the decree up to which writes are committed (PacificA's committed point).</summary>
    public long LastCommittedDecree => Volatile.Read(ref _lastCommittedDecree);

    /// <summary>Gets how many expired records this pipeline's sweeps removed.</summary>
    public long ExpiredSwept => Interlocked.Read(ref _expiredSwept);

    /// <summary>Gets a value indicating whether a store failure stopped the pipeline.</summary>
    public bool IsFaulted => _faultReason is not null;

    /// <summary>Queues a write and waits until it is applied.</summary>
    /// <param name="request">The write request (<see cref="PartitionStore.IsWrite"/> holds for its operation).</param>
    /// <param name="cancellationToken">Cancels waiting for queue space; a queued write is applied regardless.</param>
    /// <returns>The response, with the decree set when the write was applied.</returns>
    public async Task<DataResponse> SubmitAsync(DataRequest request, CancellationToken cancellationToken = default)
    {
        var completion = await EnqueueAsync(request, new DataResponse { Id = request.Id }, cancellationToken).ConfigureAwait(false);
        return await completion.ConfigureAwait(false);
    }

    /// <summary>
    /// Queues a write. The returned value completes once the write has its place in the queue, so
    /// writes enqueued one after another are applied in that order; its task completes once the
    /// write is applied (or rejected).
    /// </summary>
    /// <param name="request">The write request.</param>
    /// <param name="response">The response to fill; the task completes with it.</param>
    /// <param name="cancellationToken">Cancels waiting for queue space.</param>
    /// <returns>The write's completion.</returns>
    public async ValueTask<Task<DataResponse>> EnqueueAsync(
        DataRequest request, DataResponse response, CancellationToken cancellationToken = default)
    {
        var write = new PendingWrite(request, response);
        try
        {
            await _queue.Writer.WriteAsync(new QueueItem(write), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            Reject(write, ErrorCode.InvalidState, "the replica is closing");
        }

        return write.Task;
    }

    /// <summary>
    /// Stops taking writes: queued writes are answered with <see cref="ErrorCode.InvalidState"/>
    /// without being applied (the replica may no longer be the primary), and the loop ends.
    /// The store stays open; its owner disposes it afterwards.
    /// </summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        _closing = true;
        _sweepTimer.Dispose();
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private void RequestSweep()
    {
        Volatile.Write(ref _sweepDue, 1);

        // Wakes an idle loop; a full queue means the loop is busy and checks the flag after its batch.
        _queue.Writer.TryWrite(default);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingWrite>(_settings.MaxBatchSize);
        var mutations = new Mutation[_settings.MaxBatchSize];

        // Not cancellable: the loop ends when the queue is completed and drained, so no write is left unanswered.
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _settings.MaxBatchSize && reader.TryRead(out var item))
            {
                if (item.Write is { } write)
                {
                    batch.Add(write);
                }
            }

            if (batch.Count > 0)
            {
                ProcessBatch(batch, mutations);
                batch.Clear();
            }

            if (Interlocked.Exchange(ref _sweepDue, 0) == 1)
            {
                SweepStep();
            }
        }
    }

    private void ProcessBatch(List<PendingWrite> batch, Mutation[] mutations)
    {
        if (_closing || _faultReason is not null)
        {
            foreach (var write in batch)
            {
                Reject(write, ErrorCode.InvalidState, _faultReason ?? "the replica is closing");
            }

            return;
        }

        // Stage 1, sequence: consecutive decrees under the ballot the primary holds now.
        var ballot = _currentBallot();
        var decree = _lastAssignedDecree;
        for (var i = 0; i < batch.Count; i++)
        {
            mutations[i] = new Mutation(ballot, ++decree, batch[i].Request);
        }

        Volatile.Write(ref _lastAssignedDecree, decree);

        // Stage 2, commit: PacificA appends the mutations to the mutation log and prepares them to
        // every secondary of the configuration, committing once all have logged them. A
        // configuration of the primary alone, which is what this pipeline serves, commits a
        // mutation as soon as it is sequenced.
        Volatile.Write(ref _lastCommittedDecree, decree);

        // Stage 3, apply: in decree order, then answer.
        var applied = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var write = batch[i];
            if (_faultReason is { } reason)
            {
                Reject(write, ErrorCode.InvalidState, reason);
                continue;
            }

            var mutation = mutations[i];
            try
            {
                _store.ApplyWrite(mutation.Decree, mutation.Request, write.Response);
            }
            catch (Exception exception)
            {
                // The store's state past this decree is unknown: applying later decrees could apply
                // them out of order or twice, so the replica stops writing until it is reopened.
                _faultReason = $"the replica's store failed at decree {mutation.Decree}: {exception.Message}";
                LogCriticalWriteApplyFailed(_logger, exception, _store.AppId, _store.PartitionIndex, mutation.Decree);
                Reject(write, ErrorCode.IoError, _faultReason);
                continue;
            }

            write.Response.Decree = mutation.Decree;
            write.TrySetResult(write.Response);
            applied++;
        }

        Array.Clear(mutations, 0, batch.Count);
        _instruments?.WriteBatchApplied(applied);
    }

    private void SweepStep()
    {
        if (_closing || _faultReason is not null)
        {
            return;
        }

        int removed;
        try
        {
            removed = _store.SweepExpired(_settings.ExpiredSweepBatchSize);
        }
        catch (Exception exception)
        {
            // A failed sweep leaves expired records behind, which reads skip anyway; the next tick retries.
            LogWarningExpiredSweepFailed(_logger, exception, _store.AppId, _store.PartitionIndex);
            return;
        }

        Interlocked.Add(ref _expiredSwept, removed);
        _instruments?.ExpiredSwept(removed);
        if (removed > 0)
        {
            LogDebugExpiredSwept(_logger, _store.AppId, _store.PartitionIndex, removed);

            // The sweep is in a stretch of expired records: continue after the writes queued
            // meanwhile rather than a whole interval later. A step that finds nothing to remove
            // waits for the next tick, so a partition without expired data costs one step per tick.
            RequestSweep();
        }
    }

    private static void Reject(PendingWrite write, ErrorCode error, string message)
    {
        write.Response.Error = error;
        write.Response.ErrorMessage = message;
        write.TrySetResult(write.Response);
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.WriteApplyFailed, Level = LogLevel.Critical,
        Message = "Replica {AppId}.{PartitionIndex} failed to apply decree {Decree}; it takes no more writes")]
    private static partial void LogCriticalWriteApplyFailed(ILogger logger, Exception exception, int appId, int partitionIndex, long decree);

    [LoggerMessage(EventId = (int)ReplicaEventId.ExpiredSweepFailed, Level = LogLevel.Warning,
        Message = "Replica {AppId}.{PartitionIndex} failed to sweep expired records")]
    private static partial void LogWarningExpiredSweepFailed(ILogger logger, Exception exception, int appId, int partitionIndex);

    [LoggerMessage(EventId = (int)ReplicaEventId.ExpiredSwept, Level = LogLevel.Debug,
        Message = "Replica {AppId}.{PartitionIndex} swept {Count} expired records")]
    private static partial void LogDebugExpiredSwept(ILogger logger, int appId, int partitionIndex, int count);

    /// <summary>A queued write, or (with no write) a wake-up for a due sweep.</summary>
    private readonly record struct QueueItem(PendingWrite? Write);

    /// <summary>A write waiting for its decree; completes with its response.</summary>
    private sealed class PendingWrite(DataRequest request, DataResponse response)
        : TaskCompletionSource<DataResponse>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public DataRequest Request { get; } = request;

        public DataResponse Response { get; } = response;
    }
}
