using Microsoft.Extensions.Options;
using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.FailureDetection;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Options;
using Pegasus.Meta.State;
using Pegasus.Meta.Tables;

namespace Pegasus.Meta.Balancing;

/// <summary>
/// Balances the cluster on the meta leader: plans with <see cref="BalancePlanner"/> and starts the moves, every
/// <see cref="MetaOptions.RebalanceInterval"/> when <see cref="MetaOptions.AutoRebalance"/> is on, and when the admin
/// API asks. A primary move is one configuration change (a role swap); a replica move adds a learner, and the
/// <see cref="Reconfiguration.PartitionGuardian"/> finishes it by trimming the extra copy once the learner has joined,
/// so a move interrupted by a meta failover still ends. Every change names the ballot it was planned at and is skipped
/// if the partition changed meanwhile.
/// </summary>
/// <param name="tables">The tables and their configurations.</param>
/// <param name="nodes">Replica server liveness and reports.</param>
/// <param name="leadership">Whether this meta server leads.</param>
/// <param name="options">The meta options.</param>
/// <param name="timeProvider">The clock of the automatic rounds.</param>
/// <param name="instruments">The meta metrics.</param>
/// <param name="logger">The logger.</param>
public sealed partial class Rebalancer(
    TableManager tables,
    NodeRegistry nodes,
    IMetaLeadership leadership,
    IOptions<MetaOptions> options,
    TimeProvider timeProvider,
    MetaInstruments instruments,
    ILogger<Rebalancer> logger) : BackgroundService
{
    private readonly MetaOptions _options = options.Value;

    // One round at a time: the automatic loop and an admin request would otherwise plan from the same state and
    // start the same moves twice (the second would only fail its ballot check, but its budget would be wrong).
    private readonly SemaphoreSlim _round = new(1, 1);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.AutoRebalance)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.RebalanceInterval, timeProvider);
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
                    await RunRoundAsync(null, stoppingToken);
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

    /// <summary>Plans from the current state without changing anything.</summary>
    /// <param name="maxConcurrentMoves">The bound on moves under way; null for <see cref="MetaOptions.MaxConcurrentLearners"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for the state to load.</param>
    /// <returns>The state planned from and the plan, or a leadership/availability error.</returns>
    public async Task<TableResult<RebalanceSnapshot>> PlanAsync(int? maxConcurrentMoves, CancellationToken cancellationToken)
    {
        var listed = await tables.ListTablesAsync(cancellationToken);
        if (listed.Value is not { } views)
        {
            return TableResult<RebalanceSnapshot>.Fail(listed.Error, listed.Message ?? listed.Error.ToString());
        }

        IReadOnlyList<BalanceTable> input = [.. views.Select(view => new BalanceTable(
            view.Table.AppId,
            view.Table.Name,
            [.. view.Partitions.Select(p => new BalancePartition(
                p,
                ReplicaSync.IsSynced(nodes, view.Table.AppId, p),
                ReplicaSync.LeadCandidates(nodes, view.Table.AppId, p)))]))];
        var alive = nodes.GetAliveNodes();
        var plan = BalancePlanner.Plan(input, alive, maxConcurrentMoves ?? _options.MaxConcurrentLearners);
        return TableResult<RebalanceSnapshot>.Ok(new RebalanceSnapshot(input, alive, plan));
    }

    /// <summary>Plans and starts the plan's moves.</summary>
    /// <param name="maxConcurrentMoves">The bound on moves under way; null for <see cref="MetaOptions.MaxConcurrentLearners"/>.</param>
    /// <param name="cancellationToken">Cancels the round (a change already being written completes).</param>
    /// <returns>The state planned from, the plan and the moves started, or a leadership/availability error.</returns>
    public async Task<TableResult<RebalanceRound>> RunRoundAsync(int? maxConcurrentMoves, CancellationToken cancellationToken)
    {
        await _round.WaitAsync(cancellationToken);
        try
        {
            var planned = await PlanAsync(maxConcurrentMoves, cancellationToken);
            if (planned.Value is not { } snapshot)
            {
                return TableResult<RebalanceRound>.Fail(planned.Error, planned.Message ?? planned.Error.ToString());
            }

            var started = new List<BalanceMove>();
            foreach (var move in snapshot.Plan.Moves)
            {
                if (await StartAsync(move, cancellationToken))
                {
                    started.Add(move);
                }
            }

            return TableResult<RebalanceRound>.Ok(new RebalanceRound(snapshot, started));
        }
        finally
        {
            _round.Release();
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    private async Task<bool> StartAsync(BalanceMove move, CancellationToken cancellationToken)
    {
        // Made only against the configuration planned from: anything that changed it meanwhile (a failure, a learner
        // joining, another round) wins, and the next round plans again.
        var applied = false;
        Func<PartitionConfigurationRecord, PartitionConfigurationRecord?> change = move.Kind switch
        {
            BalanceMoveKind.Primary => current =>
            {
                if (current.Ballot != move.Ballot || current.Primary != move.From || !current.Secondaries.Contains(move.To) || current.LearnerNodes.Count > 0)
                {
                    return null;
                }

                applied = true;
                return BalancePlanner.Swap(current, move.To);
            },
            _ => current =>
            {
                if (current.Ballot != move.Ballot || current.LearnerNodes.Count > 0 || current.ServingCount != current.MaxReplicaCount
                    || current.Members.Contains(move.To))
                {
                    return null;
                }

                applied = true;
                return current with { Learners = [move.To] };
            },
        };
        var reason = move.Kind == BalanceMoveKind.Primary
            ? $"rebalance: primary role from {move.From} to {move.To}"
            : $"rebalance: {move.To} learns, to take over the copy of {move.From}";
        var result = await tables.ChangePartitionAsync(move.AppId, move.PartitionIndex, change, reason, cancellationToken);
        if (!applied || !result.IsOk)
        {
            return false;
        }

        instruments.RebalanceMoveStarted(move.Kind == BalanceMoveKind.Primary ? "primary" : "replica");
        LogMoveStarted(logger, move.Kind, move.AppId, move.PartitionIndex, move.From, move.To);
        return true;
    }

    [LoggerMessage(EventId = (int)MetaEventIds.RebalanceMoveStarted, Level = LogLevel.Information,
        Message = "Rebalance: {Kind} move of partition {AppId}.{PartitionIndex} from {From} to {To} started")]
    private static partial void LogMoveStarted(ILogger logger, BalanceMoveKind kind, int appId, int partitionIndex, string from, string to);

    [LoggerMessage(EventId = (int)MetaEventIds.RebalanceRoundFailed, Level = LogLevel.Warning, Message = "A rebalance round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}

/// <summary>What a plan was made from, and the plan.</summary>
/// <param name="Tables">The tables as the planner saw them.</param>
/// <param name="AliveNodes">The alive replica servers.</param>
/// <param name="Plan">The plan.</param>
public sealed record RebalanceSnapshot(IReadOnlyList<BalanceTable> Tables, IReadOnlyList<string> AliveNodes, BalancePlan Plan);

/// <summary>One round: what it planned from and the moves it started.</summary>
/// <param name="Snapshot">The state and the plan.</param>
/// <param name="Started">The moves made (a move is skipped when its partition changed since it was planned).</param>
public sealed record RebalanceRound(RebalanceSnapshot Snapshot, IReadOnlyList<BalanceMove> Started);
