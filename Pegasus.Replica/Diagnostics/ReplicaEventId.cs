namespace Pegasus.Replica.Diagnostics;

/// <summary>Event ids of the replica server's log messages, one range per subsystem.</summary>
internal enum ReplicaEventId
{
    // Replicas and their lifecycle.
    ReplicaOpening = 1000,
    ReplicaOpened,
    ReplicaOpenFailed,
    ReplicaClosing,
    ReplicaClosed,
    ReplicaCloseFailed,
    ReplicaConfigurationChanged,
    StaleAssignmentIgnored,
    AppDataDeleted,
    AppDataDeleteFailed,
    TrashPurgeFailed,
    RemovedReplicaDeleted,
    RemovedReplicaDeleteFailed,

    // Write pipeline.
    WriteApplyFailed = 2000,
    ExpiredSwept,
    ExpiredSweepFailed,
    PipelineFaulted,

    // Meta beacons and lease.
    BeaconFailed = 3000,
    BeaconRedirected,
    BeaconRejected,
    NoMetaReachable,
    LeaseRenewed,
    LeaseExpired,
    Registered,

    // Data path.
    ReadFailed = 4000,
    StreamFailed,

    // Mutation log (plog).
    MutationLogOpened = 5000,
    MutationLogCut,
    MutationLogSegmentDropped,
    MutationLogRolled,
    MutationLogTruncated,
    MutationLogReset,
    MutationLogWriteFailed,
    MutationLogSyncFailed,
    MutationLogClosed,

    // Replication.
    PrimaryTermStarted = 6000,
    MemberUnresponsive,
    PeerStreamFailed,
    ProposalFailed,
    LearningStarted,
    LearningCompleted,
    LearningFailed,
    CheckpointCreated,
    ReadAfterLeaseLost,
    ProposalRefused,
    SecondaryCatchUp,
    RetriedWriteAnswered,
}
