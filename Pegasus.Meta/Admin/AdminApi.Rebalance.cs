using System.Globalization;
using Microsoft.Extensions.Options;
using Pegasus.Meta.Balancing;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Options;
using Pegasus.Protocol;

namespace Pegasus.Meta.Admin;

public static partial class AdminApi
{
    /// <summary>The largest <c>maxMoves</c> a request may ask for.</summary>
    private const int MaxMovesLimit = 1000;

    /// <summary><c>GET /v1/rebalance[?maxMoves=N]</c>: the moves a round would start now, and the counts they come from.</summary>
    private static async Task<IResult> GetRebalancePlanAsync(
        HttpRequest request, Rebalancer rebalancer, IMetaLeadership leadership, IOptions<MetaOptions> options, CancellationToken cancellationToken)
    {
        if (!TryReadMaxMoves(request, out var maxMoves, out var problem))
        {
            return AdminResults.Error(ErrorCode.InvalidParameters, problem, leadership);
        }

        var result = await rebalancer.PlanAsync(maxMoves, cancellationToken);
        return result.Value is { } snapshot
            ? TypedResults.Json(RebalanceResults.ToPlanInfo(snapshot, options.Value.AutoRebalance), AdminJson.Context.RebalancePlanInfo)
            : AdminResults.Error(result.Error, result.Message, leadership);
    }

    /// <summary><c>POST /v1/rebalance[?maxMoves=N]</c>: runs one round now (whether or not rounds run on their own).</summary>
    private static async Task<IResult> RunRebalanceAsync(
        HttpRequest request, Rebalancer rebalancer, IMetaLeadership leadership, CancellationToken cancellationToken)
    {
        if (!TryReadMaxMoves(request, out var maxMoves, out var problem))
        {
            return AdminResults.Error(ErrorCode.InvalidParameters, problem, leadership);
        }

        var result = await rebalancer.RunRoundAsync(maxMoves, cancellationToken);
        return result.Value is { } round
            ? TypedResults.Json(RebalanceResults.ToRunInfo(round), AdminJson.Context.RebalanceRunInfo)
            : AdminResults.Error(result.Error, result.Message, leadership);
    }

    /// <summary>Reads the optional <c>maxMoves</c> query parameter (the bound on moves under way, 1..<see cref="MaxMovesLimit"/>).</summary>
    private static bool TryReadMaxMoves(HttpRequest request, out int? maxMoves, out string problem)
    {
        maxMoves = null;
        problem = string.Empty;
        if (!request.Query.TryGetValue("maxMoves", out var values))
        {
            return true;
        }

        if (values.Count == 1
            && int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            && parsed is >= 1 and <= MaxMovesLimit)
        {
            maxMoves = parsed;
            return true;
        }

        problem = $"maxMoves must be one integer from 1 to {MaxMovesLimit} (was '{values}').";
        return false;
    }
}
