using System.Net;
using System.Net.Http.Json;
using Pegasus.Client;

namespace Pegasus.Tests.Aspire;

/// <summary>
/// The full local cluster on ZooKeeper, as the AppHost starts it when a local ZooKeeper is
/// installed and no container runtime answers: ZooKeeper, two metas (one leader, one standby)
/// and three replica servers. Skips without a local ZooKeeper, and fails instead with
/// <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c>.
/// </summary>
public sealed class AppHostZooKeeperTests
{
    private static readonly TimeSpan ClusterFormTimeout = TimeSpan.FromMinutes(1);

    /// <summary>A fresh table's replicas may still be opening their stores when the first write arrives; the client retries until then.</summary>
    private static readonly TimeSpan FirstWriteTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task AppHost_LocalZooKeeperMode_ElectsOneLeaderAndServesWrites()
    {
        LocalZooKeeperRequirement.Ensure();
        var cancellationToken = TestContext.Current.CancellationToken;
        // The ZooKeeper store is the default now; only where ZooKeeper comes from is pinned.
        await using var cluster = await AppHostCluster.StartAsync(["--Pegasus:ZooKeeper=Local"], cancellationToken);

        Assert.Equal(["meta-0", "meta-1", "replica-0", "replica-1", "replica-2", "zk"], cluster.ResourceNames.Order(StringComparer.Ordinal));

        // Exactly one meta leads, on ZooKeeper; the other stands by and names it in its GET /v1/cluster.
        using var meta0 = new HttpClient { BaseAddress = cluster.GetEndpoint("meta-0", "http") };
        using var meta1 = new HttpClient { BaseAddress = cluster.GetEndpoint("meta-1", "http") };
        var (leader, standby, leaderInfo) = await WaitForOneLeaderAsync(meta0, meta1, cancellationToken);
        Assert.Equal("ZooKeeper", leaderInfo.StateStore);
        Assert.Equal(cluster.AdvertisedAddress(leader == meta0 ? "meta-0" : "meta-1", "http"), leaderInfo.LeaderHttpAddress);
        Assert.Equal(
            cluster.AdvertisedAddress(leader == meta0 ? "meta-0" : "meta-1", "grpc"),
            leaderInfo.LeaderGrpcAddress);

        // Every other admin call on the standby is forwarded to the leader, which answers it.
        using var forwarded = await standby.GetAsync("/v1/tables", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Equal(leaderInfo.LeaderHttpAddress, forwarded.Headers.GetValues("X-Pegasus-Answered-By").Single());

        string[] expectedNodes = [.. Enumerable.Range(0, 3).Select(i => cluster.AdvertisedAddress($"replica-{i}", "grpc"))];
        await AppHostCluster.WaitForAliveNodesAsync(leader, expectedNodes, ClusterFormTimeout, cancellationToken);

        const string tableName = "apphost_zk_smoke";
        using var create = await leader.PostAsJsonAsync(
            "/v1/tables", new { name = tableName, partitionCount = 4, replicaCount = 3 }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);

        // The client is given both metas and finds the leader itself.
        await using var client = new PegasusClient(new PegasusClientOptions
        {
            MetaServers = [cluster.AdvertisedAddress("meta-0", "grpc"), cluster.AdvertisedAddress("meta-1", "grpc")],
            MetaAdminAddresses = [cluster.AdvertisedAddress("meta-0", "http"), cluster.AdvertisedAddress("meta-1", "http")],
        });
        // Writes need a primary per partition; secondaries and their catching up are the cluster tests' business.
        await client.Admin.WaitForTableAsync(tableName, t => t.AllPartitionsHavePrimary, ClusterFormTimeout, cancellationToken);
        var table = await client.OpenTableAsync(tableName, cancellationToken);
        byte[] hashKey = "user:7"u8.ToArray();
        await table.SetAsync(hashKey, "name"u8.ToArray(), "zookeeper"u8.ToArray(), timeout: FirstWriteTimeout, cancellationToken: cancellationToken);
        Assert.Equal("zookeeper"u8.ToArray(), await table.GetAsync(hashKey, "name"u8.ToArray(), cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Polls GET /v1/cluster on both metas until one answers as leader and the other as a standby
    /// naming that leader; both claiming to lead fails at once.
    /// </summary>
    private static async Task<(HttpClient Leader, HttpClient Standby, ClusterInfoJson LeaderInfo)> WaitForOneLeaderAsync(
        HttpClient first, HttpClient second, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ClusterFormTimeout);
        var last = "no answer yet";
        try
        {
            while (true)
            {
                var a = await GetClusterAsync(first, timeout.Token);
                var b = await GetClusterAsync(second, timeout.Token);
                last = $"{first.BaseAddress}: {a}; {second.BaseAddress}: {b}";
                Assert.False(a.Info?.IsLeader == true && b.Info?.IsLeader == true, $"Both metas claim to lead: {last}");
                if (IsLeaderAndStandby(a, b))
                {
                    return (first, second, a.Info!);
                }

                if (IsLeaderAndStandby(b, a))
                {
                    return (second, first, b.Info!);
                }

                await Task.Delay(PollInterval, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"No single leader with a standby pointing at it within {ClusterFormTimeout}; last answers: {last}");
            throw;
        }
    }

    private static bool IsLeaderAndStandby(ClusterAnswer leader, ClusterAnswer standby) =>
        leader is { Status: HttpStatusCode.OK, Info: { IsLeader: true } info }
        && standby is { Status: HttpStatusCode.OK, Info: { IsLeader: false } standbyInfo }
        && standbyInfo.LeaderHttpAddress == info.LeaderHttpAddress;

    private static async Task<ClusterAnswer> GetClusterAsync(HttpClient meta, CancellationToken cancellationToken)
    {
        using var response = await meta.GetAsync("/v1/cluster", cancellationToken);
        return response.IsSuccessStatusCode
            ? new ClusterAnswer(response.StatusCode, await response.Content.ReadFromJsonAsync<ClusterInfoJson>(cancellationToken), null)
            : new ClusterAnswer(response.StatusCode, null, await response.Content.ReadFromJsonAsync<AdminErrorJson>(cancellationToken));
    }

    private sealed record ClusterAnswer(HttpStatusCode Status, ClusterInfoJson? Info, AdminErrorJson? Error);
}
