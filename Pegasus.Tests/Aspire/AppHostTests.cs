using System.Net;
using System.Net.Http.Json;
using Pegasus.Client;

namespace Pegasus.Tests.Aspire;

/// <summary>
/// The whole local cluster as <c>dotnet run --project Pegasus.AppHost</c> starts it, in the
/// mode that needs no ZooKeeper: one meta on the embedded store and three replica servers.
/// </summary>
public sealed class AppHostTests
{
    /// <summary>Replicas beacon every second; this only bounds a cluster that never forms.</summary>
    private static readonly TimeSpan ClusterFormTimeout = TimeSpan.FromMinutes(1);

    /// <summary>A fresh table's replicas may still be opening their stores when the first write arrives; the client retries until then.</summary>
    private static readonly TimeSpan FirstWriteTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task AppHost_EmbeddedMode_StartsHealthyClusterThatServesWrites()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var cluster = await AppHostCluster.StartAsync(["--Pegasus:ZooKeeper=None"], cancellationToken);

        Assert.Equal(["meta-0", "replica-0", "replica-1", "replica-2"], cluster.ResourceNames.Order(StringComparer.Ordinal));

        using var admin = new HttpClient { BaseAddress = cluster.GetEndpoint("meta-0", "http") };
        var info = await admin.GetFromJsonAsync<ClusterInfoJson>("/v1/cluster", cancellationToken);
        Assert.NotNull(info);
        Assert.True(info.IsLeader);
        Assert.Equal("Embedded", info.StateStore);

        // Every replica server registers under the address the AppHost told it to advertise.
        string[] expectedNodes = [.. Enumerable.Range(0, 3).Select(i => cluster.AdvertisedAddress($"replica-{i}", "grpc"))];
        await AppHostCluster.WaitForAliveNodesAsync(admin, expectedNodes, ClusterFormTimeout, cancellationToken);

        const string tableName = "apphost_smoke";
        using var create = await admin.PostAsJsonAsync(
            "/v1/tables", new { name = tableName, partitionCount = 4, replicaCount = 3 }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var table = await create.Content.ReadFromJsonAsync<TableInfoJson>(cancellationToken);
        Assert.NotNull(table);
        Assert.Equal((tableName, 4, 3), (table.Name, table.PartitionCount, table.ReplicaCount));

        // The data path: routing from the meta, then straight to the partition's primary.
        await using var client = new PegasusClient(new PegasusClientOptions
        {
            MetaServers = [cluster.AdvertisedAddress("meta-0", "grpc")],
            MetaAdminAddresses = [cluster.AdvertisedAddress("meta-0", "http")],
        });
        // Writes need a primary per partition; secondaries and their catching up are the cluster tests' business.
        await client.Admin.WaitForTableAsync(tableName, t => t.AllPartitionsHavePrimary, ClusterFormTimeout, cancellationToken);
        var pegasusTable = await client.OpenTableAsync(tableName, cancellationToken);
        byte[] hashKey = "user:42"u8.ToArray();
        await pegasusTable.SetAsync(hashKey, "name"u8.ToArray(), "pegasus"u8.ToArray(), timeout: FirstWriteTimeout, cancellationToken: cancellationToken);

        Assert.Equal("pegasus"u8.ToArray(), await pegasusTable.GetAsync(hashKey, "name"u8.ToArray(), cancellationToken: cancellationToken));
        Assert.Null(await pegasusTable.GetAsync(hashKey, "missing"u8.ToArray(), cancellationToken: cancellationToken));
    }
}
