using System.Diagnostics;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Replication.Log;

namespace Pegasus.Replica.Replication;

public sealed partial class ReplicaWritePipeline
{
    // Learner state, under _lock: whether the log tail is installed (prepares are logged from then on), and the
    // prepares that arrived before it (the primary starts streaming before its answer with the tail arrives).
    private bool _learnerStreaming;
    private readonly List<PrepareMessage> _learnerBuffer = [];

    // The most committed decrees a secondary applies in one group.
    private const int MaxApplyGroup = 1024;

    // The committed point the primary announced, which this replica applies up to as far as its log reaches.
    private long _announcedCommitted;

    /// <summary>
    /// Logs a primary's prepare (as a secondary or streaming learner) and answers whether it did. Mutations at or
    /// below the committed point are already applied and skipped; a mutation for a decree the log holds replaces it
    /// and everything after it (the new primary re-prepared it under a higher ballot). A gap means prepares were lost:
    /// refused, so the primary has this replica removed and it learns again.
    /// </summary>
    /// <param name="message">The prepare.</param>
    /// <returns>The acknowledgement to send back, or null when none is due (only the committed point moved, or a learner buffered it).</returns>
    public PrepareAck? OnPrepare(PrepareMessage message)
    {
        var config = _host.Config;
        if (message.Ballot > config.Ballot)
        {
            _host.AdoptBallot(message.Ballot, message.Primary);
            config = _host.Config;
        }

        lock (_lock)
        {
            if (message.Ballot < config.Ballot)
            {
                return Refuse(message, ErrorCode.StaleBallot, $"ballot {message.Ballot} is older than this replica's {config.Ballot}", config.Ballot);
            }

            if (_faultReason is { } fault)
            {
                return Refuse(message, ErrorCode.InvalidState, fault, config.Ballot);
            }

            if (config.Role == ReplicaRole.Primary)
            {
                return Refuse(message, ErrorCode.InvalidState, $"this replica is the primary at ballot {config.Ballot}", config.Ballot);
            }

            if (config.Role == ReplicaRole.Learner && !_learnerStreaming)
            {
                _learnerBuffer.Add(message);
                return null;
            }

            return PrepareLocked(message);
        }
    }

    /// <summary>Applies every logged mutation up to the committed point the primary announced.</summary>
    public void ApplyCommitted()
    {
        lock (_lock)
        {
            ApplyCommittedLocked();
        }
    }

    /// <summary>
    /// Installs the log tail a learner fetched from the primary, then the prepares that arrived meanwhile; from now
    /// on prepares are logged as they come.
    /// </summary>
    /// <param name="mutations">The primary's log after this replica's applied point.</param>
    /// <param name="committed">The primary's committed point when it answered.</param>
    public void InstallLogTail(IReadOnlyList<MutationEntry> mutations, long committed)
    {
        lock (_lock)
        {
            // What the log holds past the applied point may be prepares no primary committed; the tail replaces it.
            _log.Reset(_lastCommitted);
            _lastPrepared = _lastCommitted;
            var entries = mutations.Where(m => m.Decree > _lastCommitted)
                .Select(m => new LogEntry(m.Ballot, m.Decree, m.Request.Memory))
                .ToList();
            if (entries.Count > 0)
            {
                _log.Append(entries);
                _lastPrepared = _log.LastDecree;
            }

            _announcedCommitted = Math.Max(_announcedCommitted, committed);
            _learnerStreaming = true;
            foreach (var buffered in _learnerBuffer)
            {
                PrepareLocked(buffered);
            }

            _learnerBuffer.Clear();
            ApplyCommittedLocked();
        }
    }

    /// <summary>Gets whether a learner has installed its tail and logs the primary's prepares.</summary>
    public bool IsLearnerStreaming
    {
        get
        {
            lock (_lock)
            {
                return _learnerStreaming;
            }
        }
    }

    private PrepareAck? PrepareLocked(PrepareMessage message)
    {
        var mutations = message.Mutations;
        var start = 0;
        while (start < mutations.Count && mutations[start].Decree <= _lastCommitted)
        {
            start++;
        }

        if (start < mutations.Count)
        {
            var first = mutations[start].Decree;
            if (first > _log.LastDecree + 1)
            {
                return Refuse(message, ErrorCode.InvalidState, $"decree {first} follows a gap: this replica's log ends at {_log.LastDecree}", message.Ballot);
            }

            var entries = new LogEntry[mutations.Count - start];
            for (var i = start; i < mutations.Count; i++)
            {
                var mutation = mutations[i];
                entries[i - start] = new LogEntry(mutation.Ballot, mutation.Decree, mutation.Request.Memory);
            }

            var started = ReplicaTelemetry.ActivitySource.HasListeners() ? _timeProvider.GetUtcNow() : default;
            try
            {
                _log.Append(entries);
            }
            catch (InvalidOperationException exception)
            {
                // Out of order for this log (a lower ballot replacing a higher one): refused, the log is unchanged.
                return Refuse(message, ErrorCode.InvalidState, exception.Message, message.Ballot);
            }
            catch (Exception exception)
            {
                Fault($"the replica's mutation log failed: {exception.Message}", exception, first);
                return Refuse(message, ErrorCode.IoError, _faultReason!, message.Ballot);
            }

            _lastPrepared = _log.LastDecree;
            if (started != default)
            {
                TracePrepared(message, start, started);
            }
        }

        _announcedCommitted = Math.Max(_announcedCommitted, message.CommittedDecree);
        if (mutations.Count == 0)
        {
            return null;
        }

        return new PrepareAck
        {
            AppId = message.AppId,
            PartitionIndex = message.PartitionIndex,
            Ballot = message.Ballot,
            LastPreparedDecree = Math.Max(_lastPrepared, _lastCommitted),
        };
    }

    private void ApplyCommittedLocked()
    {
        var target = Math.Min(_announcedCommitted, _lastPrepared);
        while (_lastCommitted < target && _faultReason is null)
        {
            // In groups, applied together (one RocksDB write where the writes allow it); bounded so a long lag does
            // not build one huge write.
            var first = _lastCommitted + 1;
            var count = (int)Math.Min(target - _lastCommitted, MaxApplyGroup);
            var requests = new DataRequest[count];
            var responses = new DataResponse[count];
            for (var i = 0; i < count; i++)
            {
                if (!_log.TryGet(first + i, out var entry))
                {
                    // Cannot happen while the log holds everything after the applied point; stop rather than skip.
                    Fault($"decree {first + i} is committed but missing from the log", new InvalidOperationException("missing decree"), first + i);
                    return;
                }

                requests[i] = DataRequest.Parser.ParseFrom(entry.Payload.Span);
                responses[i] = new DataResponse();
            }

            try
            {
                _store.ApplyWrites(first, requests, responses);
            }
            catch (Exception exception)
            {
                Fault($"the replica's store failed after decree {_store.LastAppliedDecree}: {exception.Message}", exception, _store.LastAppliedDecree + 1);
                return;
            }

            for (var i = 0; i < count; i++)
            {
                _completed.Record(requests[i], responses[i]);
            }

            Volatile.Write(ref _lastCommitted, first + count - 1);
        }

        TrimLogLocked();
    }

    /// <summary>
    /// One span per traced mutation, a child of the primary's span for the client write: the time from this replica
    /// taking the prepare to having it in its log (the mutations of one message share that append).
    /// </summary>
    private void TracePrepared(PrepareMessage message, int start, DateTimeOffset started)
    {
        for (var i = start; i < message.Mutations.Count; i++)
        {
            var mutation = message.Mutations[i];
            if (mutation.Traceparent.Length == 0 || !ActivityContext.TryParse(mutation.Traceparent, null, isRemote: true, out var parent))
            {
                continue;
            }

            using var activity = ReplicaTelemetry.ActivitySource.StartActivity(
                "pegasus.replica prepare", ActivityKind.Server, parent, startTime: started);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("pegasus.app_id", message.AppId);
                activity.SetTag("pegasus.partition_index", message.PartitionIndex);
                activity.SetTag("pegasus.ballot", mutation.Ballot);
                activity.SetTag("pegasus.decree", mutation.Decree);
                activity.SetTag("pegasus.primary", message.Primary);
            }
        }
    }

    private static PrepareAck Refuse(PrepareMessage message, ErrorCode error, string reason, long ballot) => new()
    {
        AppId = message.AppId,
        PartitionIndex = message.PartitionIndex,
        Ballot = ballot,
        Error = error,
        ErrorMessage = reason,
    };
}
