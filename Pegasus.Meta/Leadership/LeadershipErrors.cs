using Pegasus.Protocol;

namespace Pegasus.Meta.Leadership;

/// <summary>The one answer of a meta server that does not lead, for the admin API and the table manager alike.</summary>
internal static class LeadershipErrors
{
    /// <summary>
    /// <see cref="ErrorCode.ForwardToOthers"/> naming the leader's admin address when one is known,
    /// else <see cref="ErrorCode.ServiceNotActive"/>.
    /// </summary>
    /// <param name="leadership">This meta server's leadership.</param>
    /// <returns>The error code and its message.</returns>
    public static (ErrorCode Code, string Message) NotLeader(IMetaLeadership leadership) => leadership.Leader is { } leader
        ? (ErrorCode.ForwardToOthers, $"This meta server is not the leader; the leader is {leader.HttpAddress}.")
        : (ErrorCode.ServiceNotActive, "This meta server is not the leader and no leader is known.");
}
