namespace Pegasus.Replica.Replication;

/// <summary>Where a partition replica is in its life on this node.</summary>
public enum ReplicaStatus
{
    /// <summary>Assigned by the meta; the store is being opened.</summary>
    Opening,

    /// <summary>Open; serves requests its role allows.</summary>
    Serving,

    /// <summary>Opening the store failed; the next assignment retries.</summary>
    Failed,

    /// <summary>No longer assigned (or the node is stopping); queued writes are being rejected.</summary>
    Closing,

    /// <summary>The store is closed.</summary>
    Closed,
}
