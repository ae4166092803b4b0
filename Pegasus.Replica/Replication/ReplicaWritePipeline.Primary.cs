using Google.Protobuf;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Replication.Log;

namespace Pegasus.Replica.Replication;

public sealed partial class ReplicaWritePipeline
{
    // Primary state, under _lock. The ballot this node became primary at (0 while it is not primary): acknowledgements
    // from before it are from another term and count for nothing.
    private long _termBallot;

    // The highest decree each member has logged in this term.
    private readonly Dictionary<string, long> _acked = new(StringComparer.Ordinal);

    // Learners that fetched the log tail: they get every prepare from then on.
    private readonly HashSet<string> _streamingLearners = new(StringComparer.Ordinal);

    // Per learner that fetched the whole log tail in this term, the decree its log reached then (its acknowledgements
    // may take it further); kept when it drops out of streaming, as its log still holds that much.
    private readonly Dictionary<string, long> _learnerLogEnd = new(StringComparer.Ordinal);

    // The secondaries this primary commits with, as of the configuration it last followed in this term.
    private readonly HashSet<string> _termSecondaries = new(StringComparer.Ordinal);

    // Batches prepared and not yet committed, oldest first.
    private readonly Queue<InFlightBatch> _inFlight = new();

    // The client writes in flight by session and number, with the retries of each that wait for its answer (null: none).
    private readonly Dictionary<WriteId, List<PendingWrite>?> _inFlightWrites = [];

    // Members already reported for the current ballot (one proposal each).
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private long _reportedBallot;

    private void ProcessBatch(List<PendingWrite> batch)
    {
        // A batch the loop has started goes on even if closing starts meanwhile; only batches taken after it are refused.
        if (_closing || _faultReason is not null)
        {
            foreach (var write in batch)
            {
                Reject(write, ErrorCode.InvalidState, _faultReason ?? "the replica is closing");
            }

            return;
        }

        var config = _host.Config;
        lock (_lock)
        {
            if (_faultReason is not null)
            {
                foreach (var write in batch)
                {
                    Reject(write, ErrorCode.InvalidState, _faultReason);
                }

                return;
            }

            if (config.Role != ReplicaRole.Primary)
            {
                foreach (var write in batch)
                {
                    Reject(write, ErrorCode.InvalidState, $"partition {_store.AppId}.{_store.PartitionIndex} is not primary on this node (role {config.Role})");
                }

                return;
            }

            EnsurePrimaryTermLocked(config);
            batch = WithoutRetriesLocked(batch);
            if (batch.Count == 0)
            {
                return;
            }

            // Sequence and log: consecutive decrees under the ballot the primary holds now, one append for the batch.
            var first = _lastPrepared + 1;
            var entries = new LogEntry[batch.Count];
            var requests = new DataRequest[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                requests[i] = batch[i].Request;
                entries[i] = new LogEntry(config.Ballot, first + i, requests[i].ToByteArray());
            }

            _log.Append(entries);
            _lastPrepared = first + batch.Count - 1;
            _inFlight.Enqueue(new InFlightBatch(first, requests, [.. batch], _timeProvider.GetTimestamp()));
            SendLocked(config, entries, batch);
            CommitLocked(config);
        }
    }

    /// <summary>
    /// Takes out of a batch the retries of writes applied or in flight here: an applied one is answered as the first
    /// attempt was, one in flight waits for the first attempt's answer. Both may come from a client whose answer was lost
    /// with its connection, or from the old primary that abandoned the write while this replica held it prepared.
    /// </summary>
    private List<PendingWrite> WithoutRetriesLocked(List<PendingWrite> batch)
    {
        List<PendingWrite>? fresh = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var write = batch[i];
            var request = write.Request;
            var isRetry = false;
            if (request.WriteSession != 0)
            {
                var id = new WriteId(request.WriteSession, request.WriteSeq);
                if (_completed.TryGet(id.Session, id.Seq, out var answer))
                {
                    AnswerRetry(write, answer);
                    isRetry = true;
                }
                else if (_inFlightWrites.TryGetValue(id, out var waiters))
                {
                    (waiters ??= []).Add(write);
                    _inFlightWrites[id] = waiters;
                    isRetry = true;
                }
                else
                {
                    _inFlightWrites.Add(id, null);
                }
            }

            if (isRetry && fresh is null)
            {
                fresh = batch.GetRange(0, i);
            }
            else if (!isRetry)
            {
                fresh?.Add(write);
            }
        }

        return fresh ?? batch;
    }

    /// <summary>
    /// Starts a primary term when the replica has just become primary: every mutation in its log beyond its committed
    /// point may have been acknowledged by the old primary, so it is prepared again under the new ballot, and committed
    /// before anything newer (PacificA's reconciliation).
    /// </summary>
    private void EnsurePrimaryTermLocked(PartitionConfig config)
    {
        if (_termBallot != 0)
        {
            return;
        }

        _termBallot = config.Ballot;
        _acked.Clear();
        _streamingLearners.Clear();
        _learnerLogEnd.Clear();
        _termSecondaries.Clear();
        _termSecondaries.UnionWith(config.Secondaries);
        var pending = _log.ReadFrom(_lastCommitted + 1);
        if (pending.Count > 0)
        {
            var entries = new LogEntry[pending.Count];
            var requests = new DataRequest[pending.Count];
            for (var i = 0; i < pending.Count; i++)
            {
                entries[i] = pending[i] with { Ballot = config.Ballot };
                requests[i] = DataRequest.Parser.ParseFrom(pending[i].Payload.Span);
                if (requests[i].WriteSession != 0)
                {
                    _inFlightWrites.TryAdd(new WriteId(requests[i].WriteSession, requests[i].WriteSeq), null);
                }
            }

            _log.Append(entries);
            _inFlight.Enqueue(new InFlightBatch(entries[0].Decree, requests, null, _timeProvider.GetTimestamp()));
            SendLocked(config, entries);
        }

        else if (config.Secondaries.Count > 0)
        {
            // Nothing to reconcile: still tell the secondaries the committed point, so after a restart they apply what they hold.
            SendLocked(config, null);
        }

        LogInformationPrimaryTerm(_logger, _store.AppId, _store.PartitionIndex, config.Ballot, _lastCommitted, _lastPrepared);
        CommitLocked(config);
    }

    /// <summary>Follows a new configuration: a primary that is no longer primary abandons its writes in flight.</summary>
    /// <param name="config">The configuration now followed.</param>
    public void OnConfigChanged(PartitionConfig config)
    {
        lock (_lock)
        {
            if (config.Role != ReplicaRole.Primary)
            {
                if (_termBallot != 0)
                {
                    AbandonInFlightLocked($"partition {_store.AppId}.{_store.PartitionIndex} is no longer primary on this node (ballot {config.Ballot})");
                    _termBallot = 0;
                    _acked.Clear();
                    _streamingLearners.Clear();
                    _learnerLogEnd.Clear();
                    _termSecondaries.Clear();
                }

                if (config.Role != ReplicaRole.Learner)
                {
                    _learnerStreaming = false;
                    _learnerBuffer.Clear();
                }

                return;
            }

            if (_termBallot != 0)
            {
                // A member removed or a learner promoted: commit what the remaining members hold.
                _streamingLearners.IntersectWith(config.Learners);
                CatchUpSecondariesLocked(config);
                CommitLocked(config);
            }
        }

        Wake();
    }

    /// <summary>
    /// On a new ballot, sends each secondary the log after what it is known to hold. A member can follow a new ballot
    /// before its primary does (each hears of it at its own beacon) and then refuses the primary's prepares of the old
    /// ballot as stale: those decrees never reach it, and the next prepare would find a gap and have it removed. A
    /// learner that just joined is the sharpest case: it follows the ballot that made it a secondary at once, and writes
    /// its primary committed meanwhile did not wait for it, so without this its log would keep that hole (unnoticed
    /// until the next write) and it could later be promoted without writes that were acknowledged.
    /// </summary>
    private void CatchUpSecondariesLocked(PartitionConfig config)
    {
        foreach (var secondary in config.Secondaries)
        {
            // A secondary of this term holds what it acknowledged and everything committed; a learner of this term that
            // joined, what it acknowledged or fetched with the log tail. Of anything else this primary knows nothing.
            long held;
            if (_termSecondaries.Contains(secondary))
            {
                held = Math.Max(_acked.GetValueOrDefault(secondary), _lastCommitted);
            }
            else if (_learnerLogEnd.TryGetValue(secondary, out var logEnd))
            {
                held = Math.Max(logEnd, _acked.GetValueOrDefault(secondary));
            }
            else
            {
                continue;
            }

            if (held >= _lastPrepared)
            {
                continue;
            }

            // What it holds stays; the rest comes again under this ballot (a decree it holds is replaced by the same
            // entry). A hole longer than the log, or than one log tail, is learned again instead.
            var missing = _log.ReadFrom(held + 1, MaxTailMutations);
            if (missing.Count == 0 || missing[0].Decree != held + 1 || missing[^1].Decree < _lastPrepared)
            {
                ReportLocked(config, secondary, $"holds the log up to decree {held}, short of {_lastPrepared}, beyond what can be re-sent");
                continue;
            }

            LogDebugCatchUp(_logger, _store.AppId, _store.PartitionIndex, secondary, config.Ballot, held + 1, _lastPrepared);
            foreach (var chunk in missing.Chunk(Math.Max(1, _settings.MaxBatchSize)))
            {
                _host.SendPrepare(secondary, ToPrepare(config, chunk));
            }
        }

        _termSecondaries.Clear();
        _termSecondaries.UnionWith(config.Secondaries);
        foreach (var node in _learnerLogEnd.Keys.Where(node => !config.Learners.Contains(node)).ToList())
        {
            _learnerLogEnd.Remove(node);
        }
    }

    /// <summary>While primary: per secondary of its term, how many prepared decrees it has not acknowledged yet.</summary>
    /// <returns>The lags; empty when this replica is not primary.</returns>
    public IReadOnlyList<(string Secondary, long Lag)> SecondaryLags()
    {
        lock (_lock)
        {
            if (_termBallot == 0)
            {
                return [];
            }

            // Everything committed is held by every secondary of the term, acknowledged in it or not.
            return [.. _termSecondaries.Select(secondary => (secondary, Math.Max(0, _lastPrepared - Math.Max(_acked.GetValueOrDefault(secondary), _lastCommitted))))];
        }
    }

    /// <summary>A peer acknowledged prepares (or refused them).</summary>
    /// <param name="from">The peer's address.</param>
    /// <param name="ack">The acknowledgement.</param>
    public void OnPrepareAck(string from, PrepareAck ack)
    {
        var config = _host.Config;
        lock (_lock)
        {
            if (_termBallot == 0 || ack.Ballot < _termBallot)
            {
                return;
            }

            if (ack.Error != ErrorCode.Ok)
            {
                if (_streamingLearners.Remove(from))
                {
                    // A learner that lost prepares learns again; it never held up a commit.
                    return;
                }

                // A member that follows a newer ballot refused a prepare of an older one: nothing to report. Once this
                // primary follows that ballot it re-sends what the member lacks (or the member is no longer in it).
                if (ack.Error == ErrorCode.StaleBallot)
                {
                    return;
                }

                ReportLocked(config, from, $"refused a prepare: {ack.Error} {ack.ErrorMessage}");
                return;
            }

            if (ack.LastPreparedDecree > _acked.GetValueOrDefault(from))
            {
                _acked[from] = ack.LastPreparedDecree;
            }

            CommitLocked(config);
        }
    }

    /// <summary>A peer's stream broke: prepares queued to it may be lost, so it cannot stay a member unnoticed.</summary>
    /// <param name="peer">The peer's address.</param>
    public void OnPeerFailed(string peer)
    {
        var config = _host.Config;
        lock (_lock)
        {
            if (_termBallot == 0)
            {
                return;
            }

            if (_streamingLearners.Remove(peer))
            {
                return;
            }

            if (config.Secondaries.Contains(peer))
            {
                ReportLocked(config, peer, "its prepare stream broke");
            }
        }
    }

    private void CheckPrepareTimeouts()
    {
        var config = _host.Config;
        lock (_lock)
        {
            if (_termBallot == 0 || !_inFlight.TryPeek(out var oldest)
                || _timeProvider.GetElapsedTime(oldest.SentTimestamp) < _settings.PrepareTimeout)
            {
                return;
            }

            foreach (var secondary in config.Secondaries)
            {
                if (_acked.GetValueOrDefault(secondary) < oldest.LastDecree)
                {
                    ReportLocked(config, secondary, $"no acknowledgement of decree {oldest.LastDecree} within {_settings.PrepareTimeout}");
                }
            }
        }
    }

    private void ReportLocked(PartitionConfig config, string member, string reason)
    {
        if (_reportedBallot != config.Ballot)
        {
            _reportedBallot = config.Ballot;
            _reported.Clear();
        }

        if (_reported.Add(member))
        {
            LogWarningMemberUnresponsive(_logger, _store.AppId, _store.PartitionIndex, member, config.Ballot, reason);
            _host.ReportUnresponsive(member, config.Ballot, reason);
        }
    }

    private void SendLocked(PartitionConfig config, IReadOnlyList<LogEntry>? entries, List<PendingWrite>? writes = null)
    {
        var message = ToPrepare(config, entries);
        if (writes is not null)
        {
            for (var i = 0; i < writes.Count; i++)
            {
                if (writes[i].TraceParent is { } traceParent)
                {
                    message.Mutations[i].Traceparent = traceParent;
                }
            }
        }

        foreach (var secondary in config.Secondaries)
        {
            _host.SendPrepare(secondary, message);
        }

        foreach (var learner in _streamingLearners)
        {
            _host.SendPrepare(learner, message);
        }
    }

    private PrepareMessage ToPrepare(PartitionConfig config, IReadOnlyList<LogEntry>? entries)
    {
        var message = new PrepareMessage
        {
            AppId = _store.AppId,
            PartitionIndex = _store.PartitionIndex,
            Ballot = config.Ballot,
            CommittedDecree = _lastCommitted,
            Primary = _host.Self,
        };
        foreach (var entry in entries ?? [])
        {
            message.Mutations.Add(new MutationEntry
            {
                Ballot = entry.Ballot,
                Decree = entry.Decree,
                Request = UnsafeByteOperations.UnsafeWrap(entry.Payload),
            });
        }

        return message;
    }

    /// <summary>Commits and applies, in decree order, everything every secondary has logged; then answers the writers.</summary>
    private void CommitLocked(PartitionConfig config)
    {
        if (_faultReason is not null)
        {
            return;
        }

        var point = _lastPrepared;
        foreach (var secondary in config.Secondaries)
        {
            point = Math.Min(point, _acked.GetValueOrDefault(secondary));
        }

        if (point <= _lastCommitted)
        {
            return;
        }

        // Everything up to the point is applied together (one RocksDB write where the writes allow it), then answered.
        var first = _lastCommitted + 1;
        var count = (int)(point - _lastCommitted);
        var requests = new DataRequest[count];
        var responses = new DataResponse[count];
        var writes = new PendingWrite?[count];
        var filled = 0;
        foreach (var batch in _inFlight)
        {
            for (var decree = Math.Max(first, batch.FirstDecree); decree <= Math.Min(point, batch.LastDecree); decree++)
            {
                var index = (int)(decree - batch.FirstDecree);
                requests[filled] = batch.Requests[index];
                writes[filled] = batch.Writes?[index];
                responses[filled] = writes[filled]?.Response ?? new DataResponse();
                filled++;
            }

            if (batch.LastDecree >= point)
            {
                break;
            }
        }

        try
        {
            _store.ApplyWrites(first, requests, responses);
        }
        catch (Exception exception)
        {
            Fault($"the replica's store failed after decree {_store.LastAppliedDecree}: {exception.Message}", exception, _store.LastAppliedDecree + 1);
            AbandonInFlightLocked(_faultReason!);
            return;
        }

        Volatile.Write(ref _lastCommitted, point);
        var applied = 0;
        for (var i = 0; i < count; i++)
        {
            if (requests[i].WriteSession != 0)
            {
                RecordAnswerLocked(requests[i], responses[i]);
            }

            if (writes[i] is { } write)
            {
                write.TrySetResult(responses[i]);
                applied++;
            }
        }

        while (_inFlight.TryPeek(out var done) && done.LastDecree <= point)
        {
            _inFlight.Dequeue();
        }

        _instruments?.WriteBatchApplied(applied);
        TrimLogLocked();

        // Nothing newer carries the committed point to the secondaries: send it on its own so they apply the tail.
        if (_inFlight.Count == 0 && (config.Secondaries.Count > 0 || _streamingLearners.Count > 0))
        {
            SendLocked(config, null);
        }
    }

    /// <summary>Remembers an applied client write's answer, and gives it to the retries that waited for it.</summary>
    private void RecordAnswerLocked(DataRequest request, DataResponse response)
    {
        // A copy: the original goes to the client and must not change under a later retry's answer.
        var answer = response.Clone();
        _completed.Record(request, answer);
        if (_inFlightWrites.Remove(new WriteId(request.WriteSession, request.WriteSeq), out var waiters) && waiters is not null)
        {
            foreach (var waiter in waiters)
            {
                AnswerRetry(waiter, answer);
            }
        }
    }

    private void AbandonInFlightLocked(string reason)
    {
        // Their outcome is unknown here: the next primary may commit what this one prepared. Retries find out there.
        while (_inFlight.TryDequeue(out var batch))
        {
            foreach (var write in batch.Writes ?? [])
            {
                Reject(write, ErrorCode.InvalidState, reason);
            }
        }

        foreach (var waiters in _inFlightWrites.Values)
        {
            foreach (var waiter in waiters ?? [])
            {
                Reject(waiter, ErrorCode.InvalidState, reason);
            }
        }

        _inFlightWrites.Clear();
    }

    private void TrimLogLocked()
    {
        var keepFrom = _lastCommitted - _settings.LogRetainedDecrees;
        if (keepFrom > _log.FirstDecree + (_settings.LogRetainedDecrees / 4) + 1)
        {
            _log.TruncateBelow(keepFrom);
        }
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.PrimaryTermStarted, Level = LogLevel.Information,
        Message = "Replica {AppId}.{PartitionIndex} is primary at ballot {Ballot}: committed {Committed}, re-preparing up to {Prepared}")]
    private static partial void LogInformationPrimaryTerm(ILogger logger, int appId, int partitionIndex, long ballot, long committed, long prepared);

    [LoggerMessage(EventId = (int)ReplicaEventId.SecondaryCatchUp, Level = LogLevel.Debug,
        Message = "Replica {AppId}.{PartitionIndex}: re-sending decrees {From}..{To} to secondary {Secondary} at ballot {Ballot}")]
    private static partial void LogDebugCatchUp(ILogger logger, int appId, int partitionIndex, string secondary, long ballot, long from, long to);

    [LoggerMessage(EventId = (int)ReplicaEventId.MemberUnresponsive, Level = LogLevel.Warning,
        Message = "Replica {AppId}.{PartitionIndex}: member {Member} at ballot {Ballot} {Reason}; asking the meta leader to remove it")]
    private static partial void LogWarningMemberUnresponsive(ILogger logger, int appId, int partitionIndex, string member, long ballot, string reason);

    /// <summary>A client write's identity: its client's session and its number there.</summary>
    private readonly record struct WriteId(ulong Session, ulong Seq);

    /// <summary>Consecutive decrees prepared together; <see cref="Writes"/> is null for re-prepared mutations nobody waits on here.</summary>
    private sealed record InFlightBatch(long FirstDecree, DataRequest[] Requests, PendingWrite[]? Writes, long SentTimestamp)
    {
        public long LastDecree => FirstDecree + Requests.Length - 1;
    }
}
