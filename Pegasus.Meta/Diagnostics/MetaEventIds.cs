namespace Pegasus.Meta.Diagnostics;

/// <summary>Event ids of the meta server's log messages, grouped by subsystem.</summary>
public enum MetaEventIds
{
    /// <summary>A table was created.</summary>
    TableCreated = 1000,

    /// <summary>A table was dropped.</summary>
    TableDropped = 1001,

    /// <summary>A table create or drop was rejected.</summary>
    TableRequestRejected = 1002,

    /// <summary>A state store write conflicted with a newer writer.</summary>
    StateStoreConflict = 1003,

    /// <summary>The cluster state was loaded on gaining leadership.</summary>
    StateLoaded = 1004,

    /// <summary>The cluster state was released on losing leadership.</summary>
    StateUnloaded = 1005,

    /// <summary>Loading the cluster state failed.</summary>
    StateLoadFailed = 1006,

    /// <summary>A state store write failed with an error (not a typed conflict).</summary>
    StateStoreWriteFailed = 1007,

    /// <summary>This meta server became leader.</summary>
    LeadershipGained = 1100,

    /// <summary>This meta server lost leadership.</summary>
    LeadershipLost = 1101,

    /// <summary>The embedded store found no state file and starts empty.</summary>
    EmbeddedStateEmpty = 1150,

    /// <summary>The embedded store read its state file.</summary>
    EmbeddedStateRead = 1151,

    /// <summary>A replica server became alive (first beacon, or beaconing again).</summary>
    NodeAlive = 1200,

    /// <summary>A replica server missed its grace period.</summary>
    NodeDead = 1201,
}
