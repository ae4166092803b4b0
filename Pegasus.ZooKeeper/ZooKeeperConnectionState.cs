namespace Pegasus.ZooKeeper;

/// <summary>The state of a <see cref="ZooKeeperClient"/>'s session.</summary>
public enum ZooKeeperConnectionState
{
    /// <summary>Not yet connected for the first time.</summary>
    Connecting,

    /// <summary>Connected to a server with a live session; operations flow.</summary>
    Connected,

    /// <summary>
    /// The connection was lost and the client is reconnecting, trying to resume the session; operations wait.
    /// The session (and its ephemeral nodes) may still be alive on the servers.
    /// </summary>
    Disconnected,

    /// <summary>The servers expired the session: its ephemeral nodes and watches are gone. Terminal.</summary>
    Expired,

    /// <summary>The client was closed. Terminal.</summary>
    Closed,
}

/// <summary>A change of a client's <see cref="ZooKeeperConnectionState"/>.</summary>
/// <param name="State">The new state.</param>
/// <param name="SessionId">The session id (0 before the first connection).</param>
/// <param name="Server">The server connected to, for <see cref="ZooKeeperConnectionState.Connected"/>; else the last one.</param>
public readonly record struct ZooKeeperStateChange(ZooKeeperConnectionState State, long SessionId, string? Server);
