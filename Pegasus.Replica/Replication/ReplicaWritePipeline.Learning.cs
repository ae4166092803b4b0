using Pegasus.Protocol;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Replication;

namespace Pegasus.Replica.Replication;

public sealed partial class ReplicaWritePipeline
{
    /// <summary>The most mutations one log-tail answer carries; a learner asks again for the rest.</summary>
    public const int MaxTailMutations = 20_000;

    /// <summary>
    /// Decides, as primary, how a learner catches up: from the log alone when it holds everything after the learner's
    /// applied point, else from a checkpoint of the store that <paramref name="createCheckpoint"/> makes now.
    /// </summary>
    /// <param name="learnerApplied">The learner's applied decree.</param>
    /// <param name="createCheckpoint">Makes a checkpoint of the store and returns its id and files.</param>
    /// <returns>The answer to the learner.</returns>
    public StartLearningResponse StartLearning(long learnerApplied, Func<(string Id, IReadOnlyList<CheckpointFile> Files)> createCheckpoint)
    {
        lock (_lock)
        {
            if (_termBallot == 0)
            {
                return new StartLearningResponse { Error = ErrorCode.InvalidState, ErrorMessage = "this replica is not primary" };
            }

            // A replica applies only committed decrees, so the learner's data is a prefix of this history: the log alone
            // catches it up when it holds every decree after that prefix.
            if (learnerApplied <= _lastPrepared
                && (learnerApplied == _lastPrepared || (_log.Count > 0 && _log.FirstDecree <= learnerApplied + 1)))
            {
                return new StartLearningResponse { LogOnly = true };
            }

            // Under the lock nothing is applied meanwhile, so the checkpoint is exactly the applied point.
            var (id, files) = createCheckpoint();
            return new StartLearningResponse
            {
                LogOnly = false,
                CheckpointId = id,
                CheckpointDecree = _store.LastAppliedDecree,
                Files = { files },
            };
        }
    }

    /// <summary>
    /// Answers a learner's request for the log after <paramref name="fromDecree"/>; when the answer reaches the end of
    /// the log, the learner is added to the peers every prepare goes to, in the same step, so it misses nothing.
    /// </summary>
    /// <param name="learner">The learner's address.</param>
    /// <param name="fromDecree">The first decree it needs.</param>
    /// <returns>The answer.</returns>
    public FetchLogTailResponse FetchLogTail(string learner, long fromDecree)
    {
        var config = _host.Config;
        lock (_lock)
        {
            if (_termBallot == 0 || config.Role != ReplicaRole.Primary)
            {
                return new FetchLogTailResponse { Error = ErrorCode.InvalidState, ErrorMessage = "this replica is not primary" };
            }

            if (!config.Learners.Contains(learner) && !config.Secondaries.Contains(learner))
            {
                return new FetchLogTailResponse { Error = ErrorCode.InvalidState, ErrorMessage = $"{learner} is not a learner at ballot {config.Ballot}" };
            }

            if (fromDecree <= _lastPrepared && fromDecree < _log.FirstDecree)
            {
                return new FetchLogTailResponse { Error = ErrorCode.NotFound, ErrorMessage = $"the log starts at decree {_log.FirstDecree}, after {fromDecree}; learn from a checkpoint" };
            }

            var response = new FetchLogTailResponse { CommittedDecree = _lastCommitted };
            foreach (var entry in _log.ReadFrom(fromDecree, MaxTailMutations))
            {
                response.Mutations.Add(new MutationEntry
                {
                    Ballot = entry.Ballot,
                    Decree = entry.Decree,
                    Request = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(entry.Payload),
                });
            }

            var last = response.Mutations.Count > 0 ? response.Mutations[^1].Decree : fromDecree - 1;
            response.Complete = last >= _lastPrepared;
            if (response.Complete)
            {
                _streamingLearners.Add(learner);
                _learnerLogEnd[learner] = last;
            }

            return response;
        }
    }
}
