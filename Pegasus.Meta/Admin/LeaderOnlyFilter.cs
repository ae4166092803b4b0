using Pegasus.Meta.Leadership;

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

        var (error, message) = LeadershipErrors.NotLeader(leadership);
        return ValueTask.FromResult<object?>(AdminResults.Error(error, message, leadership));
    }
}
