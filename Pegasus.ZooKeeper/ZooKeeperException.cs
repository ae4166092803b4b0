namespace Pegasus.ZooKeeper;

/// <summary>An error reported by ZooKeeper or by the client's session.</summary>
/// <remarks>
/// Each well-known <see cref="ZooKeeperErrorCode"/> has its own subclass (for example
/// <see cref="NoNodeException"/>) so callers can catch exactly the conflicts they expect;
/// <see cref="Create"/> maps a code to its type.
/// </remarks>
public class ZooKeeperException : Exception
{
    /// <summary>Creates an exception for <paramref name="code"/>.</summary>
    public ZooKeeperException(ZooKeeperErrorCode code, string message, string? path = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Path = path;
    }

    /// <summary>Creates a <see cref="ZooKeeperErrorCode.SystemError"/> exception (kept for callers that only have a message).</summary>
    public ZooKeeperException(string message, Exception? innerException = null)
        : this(ZooKeeperErrorCode.SystemError, message, null, innerException)
    {
    }

    /// <summary>The ZooKeeper error code.</summary>
    public ZooKeeperErrorCode Code { get; }

    /// <summary>The path the failed operation was about, relative to the client's chroot, when known.</summary>
    public string? Path { get; }

    /// <summary>
    /// Whether the operation may have failed only because of the connection, so retrying it (once
    /// connected again) may succeed; callers must still allow for the original having been applied.
    /// </summary>
    public bool IsTransient => Code is ZooKeeperErrorCode.ConnectionLoss or ZooKeeperErrorCode.OperationTimeout
        or ZooKeeperErrorCode.RequestTimeout or ZooKeeperErrorCode.Throttled;

    /// <summary>Creates the typed exception for <paramref name="code"/>.</summary>
    public static ZooKeeperException Create(ZooKeeperErrorCode code, string? path = null, string? message = null)
    {
        message ??= path is null ? $"ZooKeeper error {code} ({(int)code})." : $"ZooKeeper error {code} ({(int)code}) for {path}.";
        return code switch
        {
            ZooKeeperErrorCode.NoNode => new NoNodeException(message, path),
            ZooKeeperErrorCode.NodeExists => new NodeExistsException(message, path),
            ZooKeeperErrorCode.BadVersion => new BadVersionException(message, path),
            ZooKeeperErrorCode.NotEmpty => new NotEmptyException(message, path),
            ZooKeeperErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(message, path),
            ZooKeeperErrorCode.SessionExpired => new SessionExpiredException(message),
            ZooKeeperErrorCode.ConnectionLoss => new ConnectionLossException(message),
            ZooKeeperErrorCode.OperationTimeout => new OperationTimeoutException(message),
            ZooKeeperErrorCode.BadArguments => new BadArgumentsException(message, path),
            ZooKeeperErrorCode.NoAuth => new NoAuthException(message, path),
            ZooKeeperErrorCode.InvalidAcl => new InvalidAclException(message, path),
            ZooKeeperErrorCode.AuthFailed => new AuthFailedException(message),
            ZooKeeperErrorCode.SessionMoved => new SessionMovedException(message),
            ZooKeeperErrorCode.MarshallingError => new MarshallingErrorException(message),
            ZooKeeperErrorCode.RuntimeInconsistency => new RuntimeInconsistencyException(message, path),
            ZooKeeperErrorCode.Unimplemented => new UnimplementedException(message),
            _ => new ZooKeeperException(code, message, path),
        };
    }
}
