using Pegasus.Meta.Leadership;
using Pegasus.Protocol;

namespace Pegasus.Meta.Admin;

/// <summary>
/// Lets admin calls through only on the leader. A standby answers 421 with the leader's address
/// (503 when it knows no leader), so a caller can retry there.
/// </summary>
/// <param name="leadership">Whether this meta server leads.</param>
public sealed class LeaderOnlyFilter(IMetaLeadership leadership) : IEndpointFilter
{
    /// <inheritdoc/>
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (leadership.IsLeader)
        {
            return next(context);
        }

        var leader = leadership.Leader;
        var result = leader is null
            ? AdminResults.Error(ErrorCode.ServiceNotActive, "This meta server is not the leader and no leader is known.", leadership)
            : AdminResults.Error(ErrorCode.ForwardToOthers, $"This meta server is not the leader; the leader is {leader.HttpAddress}.", leadership);
        return ValueTask.FromResult<object?>(result);
    }
}
