using Pegasus.ZooKeeper.Operations;
using Pegasus.ZooKeeper.Protocol;

namespace Pegasus.ZooKeeper;

public sealed partial class ZooKeeperClient
{
    /// <summary>Creates a node with the open ACL (world:anyone, all permissions).</summary>
    /// <param name="path">The node to create; for sequential modes the server appends a 10-digit counter.</param>
    /// <param name="data">The node's data.</param>
    /// <param name="mode">Persistent or ephemeral, optionally sequential.</param>
    /// <param name="cancellationToken">Stops waiting (a sent request may still be applied).</param>
    /// <returns>The created path (relative to the chroot), including the counter for sequential nodes.</returns>
    /// <exception cref="NodeExistsException">The node exists (not for sequential modes).</exception>
    /// <exception cref="NoNodeException">The parent does not exist.</exception>
    /// <exception cref="NoChildrenForEphemeralsException">The parent is ephemeral.</exception>
    public Task<string> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown create mode.");
        }

        var chroot = _session.Chroot;
        return _session.SubmitAsync(new CreateRequest(path, ZooKeeperPath.ToServer(chroot, path), data, mode, chroot), cancellationToken);
    }

    /// <summary>Deletes a node if its version matches.</summary>
    /// <param name="path">The node to delete.</param>
    /// <param name="version">The expected version, or -1 for any version.</param>
    /// <param name="cancellationToken">Stops waiting (a sent request may still be applied).</param>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The node's version differs from <paramref name="version"/>.</exception>
    /// <exception cref="NotEmptyException">The node has children.</exception>
    public async Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        await _session.SubmitAsync(new DeleteRequest(path, ZooKeeperPath.ToServer(_session.Chroot, path), version), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Returns the node's stat, or null when it does not exist.</summary>
    /// <param name="path">The node.</param>
    /// <param name="watcher">
    /// When given, invoked once when the node is created (if missing now), or when its data changes or
    /// it is deleted (if it exists now).
    /// </param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<Stat?> ExistsAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        return _session.SubmitAsync(new ExistsRequest(path, ZooKeeperPath.ToServer(_session.Chroot, path), watcher, _watches), cancellationToken);
    }

    /// <summary>Reads a node's data and stat.</summary>
    /// <param name="path">The node.</param>
    /// <param name="watcher">When given, invoked once when the node's data changes or the node is deleted.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="NoNodeException">The node does not exist (no watch is left).</exception>
    public Task<DataResult> GetDataAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        return _session.SubmitAsync(new GetDataRequest(path, ZooKeeperPath.ToServer(_session.Chroot, path), watcher, _watches), cancellationToken);
    }

    /// <summary>Sets a node's data if its version matches (a compare-and-set when the version is not -1).</summary>
    /// <param name="path">The node.</param>
    /// <param name="data">The new data.</param>
    /// <param name="version">The expected version, or -1 for any version.</param>
    /// <param name="cancellationToken">Stops waiting (a sent request may still be applied).</param>
    /// <returns>The node's new stat.</returns>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The node's version differs from <paramref name="version"/>.</exception>
    public Task<Stat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        return _session.SubmitAsync(new SetDataRequest(path, ZooKeeperPath.ToServer(_session.Chroot, path), data, version), cancellationToken);
    }

    /// <summary>Lists a node's children (names, not paths) with the node's stat.</summary>
    /// <param name="path">The parent node.</param>
    /// <param name="watcher">When given, invoked once when a child is created or deleted, or the node is deleted.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="NoNodeException">The node does not exist (no watch is left).</exception>
    public Task<ChildrenResult> GetChildrenAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        return _session.SubmitAsync(new GetChildrenRequest(path, ZooKeeperPath.ToServer(_session.Chroot, path), watcher, _watches), cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="operations"/> atomically: all of them or none. An operation that fails
    /// (a failed check, a version conflict, a missing node…) is an expected outcome, reported by
    /// <see cref="MultiResult.FailedIndex"/>/<see cref="MultiResult.FailedCode"/> rather than thrown;
    /// call <see cref="MultiResult.EnsureSuccess"/> to throw the typed exception instead.
    /// </summary>
    /// <param name="operations">The operations, applied in order.</param>
    /// <param name="cancellationToken">Stops waiting (a sent transaction may still be applied).</param>
    /// <exception cref="ConnectionLossException">The connection was lost; the outcome is unknown.</exception>
    public Task<MultiResult> MultiAsync(IEnumerable<MultiOp> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var ops = operations.ToArray();
        var serverPaths = new string[ops.Length];
        for (var i = 0; i < ops.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(ops[i], nameof(operations));
            ZooKeeperPath.Validate(ops[i].Path, ops[i].IsSequential, nameof(operations));
            serverPaths[i] = ZooKeeperPath.ToServer(_session.Chroot, ops[i].Path);
        }

        return _session.SubmitAsync(new MultiRequest(ops, serverPaths, _session.Chroot), cancellationToken);
    }
}
