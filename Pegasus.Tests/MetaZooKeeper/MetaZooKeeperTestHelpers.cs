using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pegasus.Meta.Leadership.ZooKeeper;
using Pegasus.Meta.Options;
using Pegasus.Meta.ZooKeeper;
using Pegasus.Tests.ZooKeeper;
using Pegasus.ZooKeeper;

namespace Pegasus.Tests.MetaZooKeeper;

/// <summary>Helpers of the in-process meta-on-ZooKeeper tests.</summary>
internal static class MetaZooKeeperTestHelpers
{
    /// <summary>The bound of every wait for an election outcome.</summary>
    public static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(30);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A cluster name no other test uses.</summary>
    public static string UniqueClusterName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static MetaZooKeeperConnection Connect(string connectionString, TimeSpan? sessionTimeout = null)
        => new(
            new ZooKeeperClientOptions
            {
                ConnectionString = connectionString,
                SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(10),
                ConnectTimeout = TimeSpan.FromSeconds(20),
            },
            new ZooKeeperTestLogger<ZooKeeperClient>(),
            new ZooKeeperTestLogger<MetaZooKeeperConnection>());

    /// <summary>A leadership contender (not started) for <paramref name="clusterName"/> advertising ports derived from <paramref name="id"/>.</summary>
    public static ZooKeeperLeadership NewLeadership(MetaZooKeeperConnection connection, string clusterName, int id)
        => new(
            connection,
            Options.Create(new MetaOptions
            {
                StateStore = MetaStateStoreKind.ZooKeeper,
                ClusterName = clusterName,
                AdvertisedGrpcAddress = $"http://127.0.0.1:{35600 + id}",
                AdvertisedHttpAddress = $"http://127.0.0.1:{35700 + id}",
            }),
            Options.Create(new ZooKeeperCoordinationOptions
            {
                ConnectionString = "unused",
                LeaderRefreshInterval = TimeSpan.FromMilliseconds(200),
            }),
            TimeProvider.System,
            new ZooKeeperTestLogger<ZooKeeperLeadership>());

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/> with <paramref name="describe"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var limit = timeout ?? ElectionTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(limit);
        try
        {
            while (!condition())
            {
                // Polling interval of a bounded wait.
                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !Ct.IsCancellationRequested)
        {
            Assert.Fail($"Not reached within {limit}: {describe()}");
        }
    }

    /// <summary>Deletes a subtree (children first); a missing node is fine.</summary>
    public static async Task DeleteRecursiveAsync(ZooKeeperClient client, string path)
    {
        ChildrenResult children;
        try
        {
            children = await client.GetChildrenAsync(path, cancellationToken: CancellationToken.None);
        }
        catch (NoNodeException)
        {
            return;
        }

        foreach (var child in children.Children)
        {
            await DeleteRecursiveAsync(client, path + "/" + child);
        }

        try
        {
            await client.DeleteAsync(path, -1, CancellationToken.None);
        }
        catch (NoNodeException)
        {
            // Gone already (an ephemeral node whose session ended).
        }
    }

    /// <summary>Deletes a cluster root with a short-lived client of its own.</summary>
    public static async Task DeleteClusterAsync(string connectionString, string clusterRoot)
    {
        await using var client = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = connectionString, ConnectTimeout = TimeSpan.FromSeconds(10) },
            NullLogger<ZooKeeperClient>.Instance,
            cancellationToken: CancellationToken.None);
        await DeleteRecursiveAsync(client, clusterRoot);
    }
}
