namespace Pegasus.ZooKeeper;

/// <summary>The node does not exist (or, for a create, its parent does not).</summary>
public sealed class NoNodeException(string message, string? path = null, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.NoNode, message, path, innerException);

/// <summary>The node already exists.</summary>
public sealed class NodeExistsException(string message, string? path = null, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.NodeExists, message, path, innerException);

/// <summary>The node's version did not match the expected version.</summary>
public sealed class BadVersionException(string message, string? path = null, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.BadVersion, message, path, innerException);

/// <summary>The node has children and cannot be deleted.</summary>
public sealed class NotEmptyException(string message, string? path = null, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.NotEmpty, message, path, innerException);

/// <summary>Ephemeral nodes cannot have children.</summary>
public sealed class NoChildrenForEphemeralsException(string message, string? path = null, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.NoChildrenForEphemerals, message, path, innerException);

/// <summary>The server rejected the arguments.</summary>
public sealed class BadArgumentsException(string message, string? path = null, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.BadArguments, message, path, innerException);

/// <summary>The session is not authorized for the operation.</summary>
public sealed class NoAuthException(string message, string? path = null, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.NoAuth, message, path, innerException);

/// <summary>The ACL is invalid.</summary>
public sealed class InvalidAclException(string message, string? path = null, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.InvalidAcl, message, path, innerException);

/// <summary>A runtime inconsistency was reported.</summary>
public sealed class RuntimeInconsistencyException(string message, string? path = null, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.RuntimeInconsistency, message, path, innerException);

/// <summary>The session has expired: its ephemeral nodes and watches are gone, and a new client (session) is needed.</summary>
public sealed class SessionExpiredException(string message, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.SessionExpired, message, null, innerException);

/// <summary>The connection was lost (or could not be made) before the operation completed; its outcome is unknown.</summary>
public sealed class ConnectionLossException(string message, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.ConnectionLoss, message, null, innerException);

/// <summary>The operation timed out.</summary>
public sealed class OperationTimeoutException(string message, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.OperationTimeout, message, null, innerException);

/// <summary>Authentication failed.</summary>
public sealed class AuthFailedException(string message, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.AuthFailed, message, null, innerException);

/// <summary>The session moved to another server.</summary>
public sealed class SessionMovedException(string message, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.SessionMoved, message, null, innerException);

/// <summary>A packet could not be serialized or parsed.</summary>
public sealed class MarshallingErrorException(string message, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.MarshallingError, message, null, innerException);

/// <summary>The server does not implement the operation.</summary>
public sealed class UnimplementedException(string message, Exception? innerException = null)
    : ZooKeeperException(ZooKeeperErrorCode.Unimplemented, message, null, innerException);
