using System.Diagnostics;
using System.Threading.Channels;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Replication.Log;
using Pegasus.Replica.Storage;

namespace Pegasus.Replica.Replication;

/// <summary>
/// The single writer of one partition replica and its PacificA state: the mutation log, the prepared and committed
/// points, and, while the replica is primary, the writes in flight. As primary, every batch of queued client writes is
/// <list type="number">
/// <item><description>sequenced: each write gets the next decree under the current ballot;</description></item>
/// <item><description>logged: one append to the mutation log for the whole batch (group commit);</description></item>
/// <item><description>prepared: one message per secondary and streaming learner, queued on the peer's stream;</description></item>
/// <item><description>committed once every secondary has acknowledged it, then applied to the store in decree order,
/// and only then answered.</description></item>
/// </list>
/// Many batches are in flight at once. As secondary or learner, prepares from the primary are logged and acknowledged,
/// and applied as the committed point they carry moves on. One lock orders every change of the log, the store and the
/// points, so decrees are applied in order and once, whichever thread (writer loop, acknowledgement, prepare) gets there.
/// </summary>
public sealed partial class ReplicaWritePipeline : IAsyncDisposable
{
    private readonly PartitionStore _store;
    private readonly MutationLog _log;
    private readonly IReplicationHost _host;
    private readonly WritePipelineSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ReplicaInstruments? _instruments;
    private readonly ILogger _logger;
    private readonly Channel<QueueItem> _queue;
    private readonly ITimer _sweepTimer;
    private readonly ITimer _prepareTimer;
    private readonly Task _loop;

    // The answers of applied writes by client session, so a retried write is answered rather than applied again.
    private readonly CompletedWriteTable _completed;

    // Guards everything below, the log's appends and the store's writes.
    private readonly Lock _lock = new();

    private long _lastPrepared;
    private long _lastCommitted;
    private long _expiredSwept;

    // Set by the sweep timer, cleared by the loop; an int for Interlocked.
    private int _sweepDue;

    // Set once closing starts: the loop answers whatever is still queued without applying it.
    private volatile bool _closing;

    // Set when the store failed a write: its state past that decree is unknown, so nothing more is applied.
    private volatile string? _faultReason;

    /// <summary>Starts the writer of an opened store and its opened log.</summary>
    /// <param name="store">The replica's store; the pipeline is its only writer from now on.</param>
    /// <param name="log">The replica's mutation log, replayed.</param>
    /// <param name="host">The replica: configuration, peers, the meta.</param>
    /// <param name="settings">Queue, batch, sweep and replication settings.</param>
    /// <param name="timeProvider">The clock of sweeps and prepare timeouts.</param>
    /// <param name="instruments">Metrics, or null.</param>
    /// <param name="logger">The logger.</param>
    public ReplicaWritePipeline(
        PartitionStore store,
        MutationLog log,
        IReplicationHost host,
        WritePipelineSettings settings,
        TimeProvider timeProvider,
        ReplicaInstruments? instruments,
        ILogger logger)
    {
        _store = store;
        _log = log;
        _host = host;
        _settings = settings;
        _timeProvider = timeProvider;
        _instruments = instruments;
        _logger = logger;
        _lastCommitted = store.LastAppliedDecree;

        // A log that ends before the store (lost, or trimmed by a learner's checkpoint) restarts after it.
        if (log.LastDecree < _lastCommitted)
        {
            log.Reset(_lastCommitted);
        }

        _lastPrepared = log.LastDecree;
        _completed = new CompletedWriteTable(settings.WriteSessionLifetime, timeProvider);
        RememberAppliedFromLog();

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
        var prepareCheck = settings.PrepareTimeout / 4;
        _prepareTimer = timeProvider.CreateTimer(
            static state => ((ReplicaWritePipeline)state!).CheckPrepareTimeouts(),
            this,
            prepareCheck,
            prepareCheck);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Gets the highest decree in the mutation log (prepared).</summary>
    public long LastPreparedDecree => Volatile.Read(ref _lastPrepared);

    /// <summary>Gets the decree up to which mutations are committed and applied (PacificA's committed point).</summary>
    public long LastCommittedDecree => Volatile.Read(ref _lastCommitted);

    /// <summary>Gets how many expired records this pipeline's sweeps removed.</summary>
    public long ExpiredSwept => Interlocked.Read(ref _expiredSwept);

    /// <summary>Gets a value indicating whether a store failure stopped the pipeline.</summary>
    public bool IsFaulted => _faultReason is not null;

    /// <summary>Queues a write and waits until it is committed and applied (or rejected).</summary>
    /// <param name="request">The write request (<see cref="PartitionStore.IsWrite"/> holds for its operation).</param>
    /// <param name="cancellationToken">Cancels waiting for queue space; a queued write goes on regardless.</param>
    /// <returns>The response, with the decree set when the write was applied.</returns>
    public async Task<DataResponse> SubmitAsync(DataRequest request, CancellationToken cancellationToken = default)
    {
        var completion = await EnqueueAsync(request, new DataResponse { Id = request.Id }, cancellationToken).ConfigureAwait(false);
        return await completion.ConfigureAwait(false);
    }

    /// <summary>
    /// Queues a write. The returned value completes once the write has its place in the queue, so
    /// writes enqueued one after another are applied in that order; its task completes once the
    /// write is committed and applied (or rejected).
    /// </summary>
    /// <param name="request">The write request.</param>
    /// <param name="response">The response to fill; the task completes with it.</param>
    /// <param name="cancellationToken">Cancels waiting for queue space.</param>
    /// <returns>The write's completion.</returns>
    public async ValueTask<Task<DataResponse>> EnqueueAsync(
        DataRequest request, DataResponse response, CancellationToken cancellationToken = default)
    {
        var write = new PendingWrite(request, response)
        {
            // The span serving the request (the dispatcher's): the secondaries' prepare spans become its children.
            TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } span ? span.Id : null,
        };
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

    /// <summary>Wakes the writer loop so it acts on a new configuration (a new primary reconciles at once).</summary>
    public void Wake() => _queue.Writer.TryWrite(default);

    /// <summary>
    /// Stops taking writes: queued writes and writes in flight are answered with <see cref="ErrorCode.InvalidState"/>
    /// (their outcome is unknown to the caller: a prepared write may still be committed by the next primary), and the
    /// loop ends. The store and the log stay open; their owner disposes them afterwards.
    /// </summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        _closing = true;
        _sweepTimer.Dispose();
        _prepareTimer.Dispose();
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        lock (_lock)
        {
            AbandonInFlightLocked("the replica is closing");
        }
    }

    /// <summary>
    /// After a restart the answers are gone, but the log still says which writes the store holds: a retry of one of
    /// them is not applied a second time (see <see cref="AnswerRetry"/>).
    /// </summary>
    private void RememberAppliedFromLog()
    {
        if (_log.Count == 0 || _log.FirstDecree > _lastCommitted)
        {
            return;
        }

        foreach (var entry in _log.ReadFrom(_log.FirstDecree))
        {
            if (entry.Decree > _lastCommitted)
            {
                break;
            }

            _completed.Record(DataRequest.Parser.ParseFrom(entry.Payload.Span), null);
        }
    }

    /// <summary>Answers a write that was applied already with that write's answer.</summary>
    /// <param name="write">The retry.</param>
    /// <param name="answer">The first attempt's answer; null when it was applied before a restart and is not known.</param>
    private void AnswerRetry(PendingWrite write, DataResponse? answer)
    {
        var response = write.Response;
        if (answer is not null)
        {
            var id = response.Id;
            response.MergeFrom(answer);
            response.Id = id;
        }
        else if (write.Request.OpCase is DataRequest.OpOneofCase.Set or DataRequest.OpOneofCase.Delete or DataRequest.OpOneofCase.MultiSet)
        {
            // These answer nothing but success, and the write is in the store.
            response.AppId = _store.AppId;
            response.PartitionIndex = _store.PartitionIndex;
        }
        else
        {
            response.Error = ErrorCode.Timeout;
            response.ErrorMessage = "the write was applied before the replica restarted and its result is no longer known";
        }

        LogDebugRetryAnswered(_logger, _store.AppId, _store.PartitionIndex, write.Request.WriteSession, write.Request.WriteSeq);
        write.TrySetResult(response);
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

            try
            {
                ProcessBatch(batch);
            }
            catch (Exception exception)
            {
                // A log append failed: the log's state past its last good record is unknown, so the replica stops.
                Fault($"the replica's mutation log failed: {exception.Message}", exception, _lastPrepared + 1);
                foreach (var write in batch)
                {
                    Reject(write, ErrorCode.IoError, _faultReason!);
                }
            }

            batch.Clear();
            if (Interlocked.Exchange(ref _sweepDue, 0) == 1)
            {
                SweepStep();
            }
        }
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
            lock (_lock)
            {
                removed = _store.SweepExpired(_settings.ExpiredSweepBatchSize);
            }
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

    private void Fault(string reason, Exception exception, long decree)
    {
        // The store's (or log's) state past this decree is unknown: applying later decrees could apply
        // them out of order or twice, so the replica stops writing until it is reopened.
        _faultReason ??= reason;
        LogCriticalWriteApplyFailed(_logger, exception, _store.AppId, _store.PartitionIndex, decree);
    }

    private static void Reject(PendingWrite write, ErrorCode error, string message)
    {
        write.Response.Error = error;
        write.Response.ErrorMessage = message;
        write.TrySetResult(write.Response);
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.WriteApplyFailed, Level = LogLevel.Critical,
        Message = "Replica {AppId}.{PartitionIndex} failed to log or apply decree {Decree}; it takes no more writes")]
    private static partial void LogCriticalWriteApplyFailed(ILogger logger, Exception exception, int appId, int partitionIndex, long decree);

    [LoggerMessage(EventId = (int)ReplicaEventId.RetriedWriteAnswered, Level = LogLevel.Debug,
        Message = "Replica {AppId}.{PartitionIndex} answered write {Seq} of session {Session:x16} from its first attempt")]
    private static partial void LogDebugRetryAnswered(ILogger logger, int appId, int partitionIndex, ulong session, ulong seq);

    [LoggerMessage(EventId = (int)ReplicaEventId.ExpiredSweepFailed, Level = LogLevel.Warning,
        Message = "Replica {AppId}.{PartitionIndex} failed to sweep expired records")]
    private static partial void LogWarningExpiredSweepFailed(ILogger logger, Exception exception, int appId, int partitionIndex);

    [LoggerMessage(EventId = (int)ReplicaEventId.ExpiredSwept, Level = LogLevel.Debug,
        Message = "Replica {AppId}.{PartitionIndex} swept {Count} expired records")]
    private static partial void LogDebugExpiredSwept(ILogger logger, int appId, int partitionIndex, int count);

    /// <summary>A queued write, or (with no write) a wake-up for a due sweep or a new configuration.</summary>
    private readonly record struct QueueItem(PendingWrite? Write);

    /// <summary>A write waiting for its decree; completes with its response.</summary>
    private sealed class PendingWrite(DataRequest request, DataResponse response)
        : TaskCompletionSource<DataResponse>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public DataRequest Request { get; } = request;

        public DataResponse Response { get; } = response;

        public string? TraceParent { get; init; }
    }
}
