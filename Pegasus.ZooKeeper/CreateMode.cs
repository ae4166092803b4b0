namespace Pegasus.ZooKeeper;

/// <summary>How a node is created (the flags of a create request).</summary>
public enum CreateMode
{
    /// <summary>A node that lives until it is deleted.</summary>
    Persistent = 0,

    /// <summary>A node deleted when the creating session ends; it cannot have children.</summary>
    Ephemeral = 1,

    /// <summary>A persistent node whose name gets a 10-digit, zero-padded counter of the parent appended.</summary>
    PersistentSequential = 2,

    /// <summary>An ephemeral node whose name gets a 10-digit, zero-padded counter of the parent appended.</summary>
    EphemeralSequential = 3,
}
