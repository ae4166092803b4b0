namespace Pegasus.Meta.Leadership;

/// <summary>
/// Whether this meta server is the leader, and who is. Everything that reads or changes cluster
/// state goes through it: a meta server that does not lead answers with
/// <see cref="Protocol.ErrorCode.ForwardToOthers"/> and the leader's address.
/// </summary>
/// <remarks>
/// The embedded mode always leads (<see cref="EmbeddedLeadership"/>); the ZooKeeper mode elects one
/// leader among several meta servers and may lose leadership at any time (session expiry).
/// </remarks>
public interface IMetaLeadership
{
    /// <summary>Gets whether this meta server currently leads.</summary>
    bool IsLeader { get; }

    /// <summary>Gets the current leader's addresses (this server's own when it leads), or null when no leader is known.</summary>
    MetaLeaderAddresses? Leader { get; }

    /// <summary>
    /// Gets a token cancelled when the current leadership is lost; already cancelled when this
    /// server does not lead. Work done on behalf of the leader links to it.
    /// </summary>
    CancellationToken LeadershipToken { get; }

    /// <summary>Raised after leadership or the known leader changes.</summary>
    event EventHandler<MetaLeadershipChange>? LeadershipChanged;

    /// <summary>Completes when this meta server leads (at once if it does already).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The token of the leadership gained: cancelled when it is lost.</returns>
    ValueTask<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken);
}
