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

    /// <summary>A table's app envs changed.</summary>
    TableEnvsUpdated = 1008,

    /// <summary>This meta server became leader.</summary>
    LeadershipGained = 1100,

    /// <summary>This meta server lost leadership.</summary>
    LeadershipLost = 1101,

    /// <summary>The embedded store found no state file and starts empty.</summary>
    EmbeddedStateEmpty = 1150,

    /// <summary>The embedded store read its state file.</summary>
    EmbeddedStateRead = 1151,

    /// <summary>A ZooKeeper session was opened for the meta server.</summary>
    ZooKeeperSessionOpened = 1160,

    /// <summary>The meta server's ZooKeeper session expired; a new one will be opened.</summary>
    ZooKeeperSessionExpired = 1161,

    /// <summary>The ZooKeeper connection changed state.</summary>
    ZooKeeperStateChanged = 1162,

    /// <summary>The ZooKeeper state store created the cluster's root nodes.</summary>
    ZooKeeperStateInitialized = 1163,

    /// <summary>The ZooKeeper state store read the cluster state.</summary>
    ZooKeeperStateRead = 1164,

    /// <summary>A state store write was refused because this meta server no longer leads.</summary>
    ZooKeeperWriteFenced = 1165,

    /// <summary>This meta server joined the leader election.</summary>
    ElectionJoined = 1170,

    /// <summary>This meta server stands by behind the leader.</summary>
    ElectionStandby = 1171,

    /// <summary>An election step failed and will be retried.</summary>
    ElectionStepFailed = 1172,

    /// <summary>This meta server stopped leading because its ZooKeeper session is in doubt or over.</summary>
    ElectionSteppedDown = 1173,

    /// <summary>This meta server left the election (shutdown).</summary>
    ElectionResigned = 1174,

    /// <summary>The leader's election node holds no readable addresses.</summary>
    ElectionUnreadableLeader = 1175,

    /// <summary>A replica server became alive (first beacon, or beaconing again).</summary>
    NodeAlive = 1200,

    /// <summary>A replica server missed its grace period.</summary>
    NodeDead = 1201,

    /// <summary>The meta leader changed a partition's configuration (new ballot).</summary>
    PartitionReconfigured = 1300,

    /// <summary>A round of the partition guardian failed.</summary>
    GuardianRoundFailed = 1301,

    /// <summary>A partition has no live copy that may become primary.</summary>
    PartitionUnavailable = 1302,

    /// <summary>A replica server's configuration proposal was refused.</summary>
    ProposalRefused = 1303,

    /// <summary>The rebalancer started a move (a role swap or a learner).</summary>
    RebalanceMoveStarted = 1310,

    /// <summary>A rebalance round failed.</summary>
    RebalanceRoundFailed = 1311,
}
