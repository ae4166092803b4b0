using Pegasus.Protocol.Replication;

namespace Pegasus.Replica.Replication;

/// <summary>What a <see cref="ReplicaWritePipeline"/> needs from the replica that owns it.</summary>
public interface IReplicationHost
{
    /// <summary>Gets the configuration the replica follows now.</summary>
    PartitionConfig Config { get; }

    /// <summary>Gets this node's data address.</summary>
    string Self { get; }

    /// <summary>Queues a prepare to a peer's stream; never blocks.</summary>
    /// <param name="target">The peer's data address.</param>
    /// <param name="message">The prepare; it must not be changed afterwards (it may be shared by several peers).</param>
    void SendPrepare(string target, PrepareMessage message);

    /// <summary>A member did not acknowledge prepares in time or refused them: ask the meta leader to remove it.</summary>
    /// <param name="node">The member.</param>
    /// <param name="ballot">The ballot the primary acts on.</param>
    /// <param name="reason">Why.</param>
    void ReportUnresponsive(string node, long ballot, string reason);

    /// <summary>A prepare carried a higher ballot than the replica's: follow it (as a secondary) until the meta's configuration arrives.</summary>
    /// <param name="ballot">The higher ballot.</param>
    /// <param name="primary">The primary that sent it.</param>
    void AdoptBallot(long ballot, string primary);
}
