namespace Pegasus.ZooKeeper;

/// <summary>A node's data and metadata, as read by <see cref="ZooKeeperClient.GetDataAsync"/>.</summary>
/// <param name="Data">The node's data (empty when the node has none).</param>
/// <param name="Stat">The node's metadata at the time of the read.</param>
public sealed record DataResult(ReadOnlyMemory<byte> Data, Stat Stat);

/// <summary>A node's children and metadata, as read by <see cref="ZooKeeperClient.GetChildrenAsync"/>.</summary>
/// <param name="Children">The children's names (not full paths), in the server's (unspecified) order.</param>
/// <param name="Stat">The parent's metadata at the time of the read.</param>
public sealed record ChildrenResult(IReadOnlyList<string> Children, Stat Stat);
