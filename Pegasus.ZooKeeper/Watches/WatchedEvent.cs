namespace Pegasus.ZooKeeper;

/// <summary>What triggered a watch.</summary>
public enum WatchEventType
{
    /// <summary>
    /// No node event: the session ended (see <see cref="WatchedEvent.State"/>), so the watch will never fire for a node change.
    /// </summary>
    None = -1,

    /// <summary>The watched node was created (exists watches).</summary>
    NodeCreated = 1,

    /// <summary>The watched node was deleted (data, exists and children watches).</summary>
    NodeDeleted = 2,

    /// <summary>The watched node's data changed (data and exists watches).</summary>
    NodeDataChanged = 3,

    /// <summary>The watched node's children changed (children watches).</summary>
    NodeChildrenChanged = 4,
}

/// <summary>The one-shot notification given to a watcher.</summary>
/// <param name="Type">What happened.</param>
/// <param name="State">
/// The session state: <see cref="ZooKeeperConnectionState.Connected"/> for node events, or
/// <see cref="ZooKeeperConnectionState.Expired"/>/<see cref="ZooKeeperConnectionState.Closed"/> when
/// the session ended with the watch still outstanding.
/// </param>
/// <param name="Path">The watched path relative to the chroot (null for session events).</param>
public readonly record struct WatchedEvent(WatchEventType Type, ZooKeeperConnectionState State, string? Path);
