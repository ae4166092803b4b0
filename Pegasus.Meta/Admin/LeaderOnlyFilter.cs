using Pegasus.Meta.Leadership;

namespace Pegasus.Meta.Admin;

/// <summary>
/// Lets admin calls through only on the leader. A standby forwards them to the leader it knows and returns the leader's
/// answer; when it knows no leader it answers 503, and when the leader cannot be reached (or the call was forwarded
/// already) 421 with the leader's address, so a caller can retry there.
/// </summary>
/// <param name="leadership">Whether this meta server leads.</param>
/// <param name="forwarder">Passes calls on to the leader.</param>
public sealed class LeaderOnlyFilter(IMetaLeadership leadership, AdminForwarder forwarder) : IEndpointFilter
{
    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (leadership.IsLeader)
        {
            return await next(context).ConfigureAwait(false);
        }

        var http = context.HttpContext;
        if (leadership.Leader is { HttpAddress.Length: > 0 } leader && !AdminForwarder.WasForwarded(http.Request)
            && await forwarder.ForwardAsync(http, leader.HttpAddress).ConfigureAwait(false) is { } answer)
        {
            return answer;
        }

        var (error, message) = LeadershipErrors.NotLeader(leadership);
        return AdminResults.Error(error, message, leadership);
    }
}
