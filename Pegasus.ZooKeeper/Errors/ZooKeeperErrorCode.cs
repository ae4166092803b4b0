namespace Pegasus.ZooKeeper;

/// <summary>ZooKeeper's error codes, as carried in the <c>err</c> field of a reply header.</summary>
public enum ZooKeeperErrorCode
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary>A server-side system error.</summary>
    SystemError = -1,

    /// <summary>A runtime inconsistency; in a failed multi, marks the operations after the one that failed.</summary>
    RuntimeInconsistency = -2,

    /// <summary>A data inconsistency was found.</summary>
    DataInconsistency = -3,

    /// <summary>The connection to the server was lost; the outcome of the operation is unknown.</summary>
    ConnectionLoss = -4,

    /// <summary>A packet could not be serialized or parsed.</summary>
    MarshallingError = -5,

    /// <summary>The operation is not implemented by the server.</summary>
    Unimplemented = -6,

    /// <summary>The operation timed out.</summary>
    OperationTimeout = -7,

    /// <summary>Invalid arguments.</summary>
    BadArguments = -8,

    /// <summary>The session is not known to the server.</summary>
    UnknownSession = -12,

    /// <summary>No quorum of the new configuration is connected.</summary>
    NewConfigNoQuorum = -13,

    /// <summary>Another reconfiguration is in progress.</summary>
    ReconfigInProgress = -14,

    /// <summary>A generic API error.</summary>
    ApiError = -100,

    /// <summary>The node does not exist.</summary>
    NoNode = -101,

    /// <summary>Not authorized.</summary>
    NoAuth = -102,

    /// <summary>The expected version does not match the node's version.</summary>
    BadVersion = -103,

    /// <summary>Ephemeral nodes may not have children.</summary>
    NoChildrenForEphemerals = -108,

    /// <summary>The node already exists.</summary>
    NodeExists = -110,

    /// <summary>The node has children.</summary>
    NotEmpty = -111,

    /// <summary>The session has expired; the client must open a new one.</summary>
    SessionExpired = -112,

    /// <summary>Invalid callback.</summary>
    InvalidCallback = -113,

    /// <summary>Invalid ACL.</summary>
    InvalidAcl = -114,

    /// <summary>Authentication failed.</summary>
    AuthFailed = -115,

    /// <summary>The session moved to another server.</summary>
    SessionMoved = -118,

    /// <summary>A state-changing request was sent to a read-only server.</summary>
    NotReadOnly = -119,

    /// <summary>Ephemeral nodes cannot be created by local sessions.</summary>
    EphemeralOnLocalSession = -120,

    /// <summary>The watcher could not be found.</summary>
    NoWatcher = -121,

    /// <summary>The request timed out.</summary>
    RequestTimeout = -122,

    /// <summary>Reconfiguration is disabled.</summary>
    ReconfigDisabled = -123,

    /// <summary>The session was closed because SASL authentication is required.</summary>
    SessionClosedRequireSaslAuth = -124,

    /// <summary>A quota was exceeded.</summary>
    QuotaExceeded = -125,

    /// <summary>The server throttled the operation.</summary>
    Throttled = -127,
}
