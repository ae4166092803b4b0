namespace Pegasus.Meta.State.ZooKeeper;

/// <summary>
/// Proof of leadership for <see cref="ZooKeeperMetaStateStore"/> writes: the leader's own election
/// node. Every write is a transaction that starts with a check that this node still exists, so a
/// meta server whose session ended (its ephemeral node deleted, a new leader elected) cannot apply a
/// write even if its request reaches ZooKeeper late.
/// </summary>
public interface IZooKeeperWriteFence
{
    /// <summary>Gets the path of this meta server's election node while it leads; null when it does not.</summary>
    string? LeaderNodePath { get; }
}
