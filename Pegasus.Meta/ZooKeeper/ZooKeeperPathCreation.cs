using Pegasus.ZooKeeper;

namespace Pegasus.Meta.ZooKeeper;

/// <summary>Creating the persistent parents the meta server's nodes live under.</summary>
internal static class ZooKeeperPathCreation
{
    /// <summary>
    /// Creates <paramref name="path"/> and each missing ancestor as an empty persistent node. A node that
    /// exists already (made by another meta server, or by an interrupted earlier attempt) is fine.
    /// </summary>
    /// <param name="client">The ZooKeeper client.</param>
    /// <param name="path">An absolute znode path.</param>
    /// <param name="cancellationToken">Cancels the creates.</param>
    /// <returns>A task that completes once the whole path exists.</returns>
    public static async Task CreatePersistentPathAsync(this ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i <= segments.Length; i++)
        {
            try
            {
                await client.CreateAsync("/" + string.Join('/', segments.Take(i)), ReadOnlyMemory<byte>.Empty, CreateMode.Persistent, cancellationToken);
            }
            catch (NodeExistsException)
            {
                // Made by another meta server (or an earlier attempt) first.
            }
        }
    }
}
