using Microsoft.Extensions.Options;
using Pegasus.Meta.Balancing;
using Pegasus.Meta.FailureDetection;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Options;
using Pegasus.Meta.State;
using Pegasus.Meta.Tables;

namespace Pegasus.Meta.Reconfiguration;

/// <summary>
/// The meta leader's PacificA reconfiguration loop. Every round it looks at each partition of every available table
/// and makes at most one change, each a new ballot persisted before anyone acts on it:
/// <list type="bullet">
/// <item><description>a dead primary is replaced by the live secondary with the highest committed decree (ties: highest
/// prepared decree) — every secondary holds every committed mutation, so any would be safe; the most advanced one has
/// the least to reconcile;</description></item>
/// <item><description>dead secondaries and learners are removed;</description></item>
/// <item><description>a partition with more serving copies than it should have and no learner (a balance move whose
/// learner joined, see <see cref="Rebalancer"/>) is trimmed by <see cref="BalancePlanner.ChooseTrim(int, PartitionConfigurationRecord, BalanceLoad, Func{string, bool})"/>: the copy on the
/// most loaded node goes, after a role swap if that copy is the primary's. Being a rule of this loop rather than a step
/// of the move, it finishes a move a meta failover interrupted;</description></item>
/// <item><description>a partition short of copies gets a learner on a live node without one (preferring a node that
/// still holds the partition's data, so it catches up from the log alone, then the least loaded), a bounded number at
/// a time.</description></item>
/// </list>
/// Copies are only removed when dead or in excess, and never while a learner is learning, so a partition's write
/// quorum never shrinks below its replica count through this loop.
/// A partition whose primary and secondaries are all dead is left alone: only a node that held every committed
/// mutation may serve it, so it waits for one of them to return.
/// </summary>
public sealed partial class PartitionGuardian(
    TableManager tables,
    NodeRegistry nodes,
    IMetaLeadership leadership,
    IOptions<MetaOptions> options,
    TimeProvider timeProvider,
    ILogger<PartitionGuardian> logger) : BackgroundService
{
    private readonly MetaOptions _options = options.Value;
    private readonly HashSet<(int AppId, int PartitionIndex)> _reportedUnavailable = [];

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ReconfigurationInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!leadership.IsLeader)
                {
                    continue;
                }

                try
                {
                    await RunRoundAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogRoundFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    /// <summary>Runs one round over every partition.</summary>
    /// <param name="cancellationToken">Stops the round.</param>
    /// <returns>How many partitions were changed.</returns>
    internal async Task<int> RunRoundAsync(CancellationToken cancellationToken)
    {
        var changed = 0;
        var available = tables.GetAvailableTables();
        var learning = available.Sum(t => t.Partitions.Count(p => p.Value.LearnerNodes.Count > 0));
        var load = BalanceLoad.Of(available.SelectMany(t => t.Partitions.Select(p => (t.Table.Value.AppId, p.Value))));
        foreach (var stored in available)
        {
            var appId = stored.Table.Value.AppId;
            foreach (var versioned in stored.Partitions)
            {
                var partition = versioned.Value;
                var plan = Plan(appId, partition, load, learning < _options.MaxConcurrentLearners);
                if (plan is null)
                {
                    continue;
                }

                var result = await tables.ChangePartitionAsync(appId, partition.PartitionIndex, current =>
                    current.Ballot == partition.Ballot ? plan.Value.Next : null, plan.Value.Reason, cancellationToken);
                if (result.IsOk)
                {
                    changed++;
                    if (plan.Value.AddsLearner)
                    {
                        learning++;
                    }
                }
            }
        }

        return changed;
    }

    private (PartitionConfigurationRecord Next, string Reason, bool AddsLearner)? Plan(
        int appId, PartitionConfigurationRecord partition, BalanceLoad load, bool mayAddLearner)
    {
        var key = (appId, partition.PartitionIndex);
        if (partition.Primary is { } primary && nodes.IsKnownDead(primary))
        {
            var candidates = partition.Secondaries.Where(s => !nodes.IsKnownDead(s)).ToList();
            if (candidates.Count == 0)
            {
                if (_reportedUnavailable.Add(key))
                {
                    LogPartitionUnavailable(logger, appId, partition.PartitionIndex, primary);
                }

                return null;
            }

            // A secondary known to hold everything the dead primary committed goes first: a learner that joined just before
            // the death may lack writes committed before its primary heard of the join (see ReplicaSync.CanLead).
            var proven = ReplicaSync.LeadCandidates(nodes, appId, partition);
            var best = candidates
                .OrderByDescending(proven.Contains)
                .ThenByDescending(s => nodes.GetReportedReplica(s, appId, partition.PartitionIndex)?.LastCommittedDecree ?? -1)
                .ThenByDescending(s => nodes.GetReportedReplica(s, appId, partition.PartitionIndex)?.LastPreparedDecree ?? -1)
                .ThenBy(s => s, StringComparer.Ordinal)
                .First();
            _reportedUnavailable.Remove(key);
            return (partition with
            {
                Primary = best,
                Secondaries = [.. candidates.Where(s => s != best)],
                Learners = [.. partition.LearnerNodes.Where(l => !nodes.IsKnownDead(l))],
            }, $"primary {primary} is dead; promoted {best}", false);
        }

        if (partition.Primary is null)
        {
            return null;
        }

        var deadSecondaries = partition.Secondaries.Where(nodes.IsKnownDead).ToList();
        var deadLearners = partition.LearnerNodes.Where(nodes.IsKnownDead).ToList();
        if (deadSecondaries.Count > 0 || deadLearners.Count > 0)
        {
            return (partition with
            {
                Secondaries = [.. partition.Secondaries.Except(deadSecondaries)],
                Learners = [.. partition.LearnerNodes.Except(deadLearners)],
            }, $"removed dead {string.Join(',', deadSecondaries.Concat(deadLearners))}", false);
        }

        if (partition.LearnerNodes.Count == 0 && partition.ServingCount > partition.MaxReplicaCount)
        {
            return Trim(appId, partition, load);
        }

        if (mayAddLearner && partition.LearnerNodes.Count == 0 && partition.ServingCount < partition.MaxReplicaCount)
        {
            var members = partition.Members.ToHashSet(StringComparer.Ordinal);
            var learner = nodes.GetAliveNodes()
                .Where(n => !members.Contains(n))
                .OrderByDescending(n => nodes.GetReportedReplica(n, appId, partition.PartitionIndex) is not null)
                .ThenBy(n => load.Replicas(appId, n))
                .ThenBy(n => n, StringComparer.Ordinal)
                .FirstOrDefault();
            if (learner is not null)
            {
                load.AddReplica(appId, learner, 1);
                return (partition with { Learners = [learner] }, $"{partition.ServingCount} of {partition.MaxReplicaCount} copies; {learner} learns", true);
            }
        }

        return null;
    }

    /// <summary>One step towards the replica count for a partition with copies in excess (the trim rule of balance moves).</summary>
    private (PartitionConfigurationRecord Next, string Reason, bool AddsLearner)? Trim(int appId, PartitionConfigurationRecord partition, BalanceLoad load)
    {
        // No copy goes until every secondary reports this configuration and holds everything the primary reported
        // committed: the learner that just joined was not waited for by its primary until the primary heard of the join,
        // so it may lack writes committed meanwhile, and an older, complete copy must not be dropped in its favour.
        // The same condition lets a secondary take the primary role when the copy to drop is the primary's.
        if (!partition.Secondaries.All(s => ReplicaSync.CanLead(nodes, appId, partition, s))
            || BalancePlanner.ChooseTrim(appId, partition, load, _ => true) is not { } trim)
        {
            return null;
        }

        var copies = $"{partition.ServingCount} of {partition.MaxReplicaCount} copies";
        if (trim.NewPrimary is { } next)
        {
            load.AddPrimary(appId, partition.Primary!, -1);
            load.AddPrimary(appId, next, 1);
            return (BalancePlanner.Swap(partition, next), $"{copies}; the primary's node is the most loaded, so {next} leads before its copy goes", false);
        }

        load.AddReplica(appId, trim.Victim, -1);
        return (partition with { Secondaries = [.. partition.Secondaries.Where(s => s != trim.Victim)] },
            $"{copies}; removed {trim.Victim}, the most loaded", false);
    }

    [LoggerMessage(EventId = (int)Diagnostics.MetaEventIds.GuardianRoundFailed, Level = LogLevel.Warning, Message = "A reconfiguration round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = (int)Diagnostics.MetaEventIds.PartitionUnavailable, Level = LogLevel.Error,
        Message = "Partition {AppId}.{PartitionIndex}: primary {Primary} is dead and no secondary is alive; waiting for one of them to return")]
    private static partial void LogPartitionUnavailable(ILogger logger, int appId, int partitionIndex, string primary);
}
