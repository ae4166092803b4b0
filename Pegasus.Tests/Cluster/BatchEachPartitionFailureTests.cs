using Pegasus.Client;
using Pegasus.Protocol.Hashing;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>
/// The per-item batch variants with a replica server down: the keys it served fail, every other key still gets its
/// answer. Runs its own cluster, since it kills a process.
/// </summary>
public sealed class BatchEachPartitionFailureTests
{
    private const int PartitionCount = 8;

    /// <summary>Bounds how long the calls retry the dead server's partitions; the live ones answer long before.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task BatchGetEachAndSetEach_OneReplicaServerDown_ItsKeysFailTheOthersAnswer()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await PegasusTestCluster.StartAsync(cancellationToken: ct);
        var client = cluster.CreateClient();

        // One copy per partition: the dead server's partitions have nowhere else to go.
        var table = await cluster.CreateTableAsync(client, PegasusClusterFixture.UniqueTableName("each_down"), PartitionCount, ct);
        var hashKeys = PegasusTestCluster.ProbeKeys(PartitionCount, "down-");
        await table.BatchSetAsync(hashKeys.Select(h => (h, B("s"), B("before"))), cancellationToken: ct);

        var victim = cluster.Replicas[0];
        var layout = await client.Admin.GetTableAsync(table.Name, ct);
        var down = layout.Partitions.Where(p => p.Primary == victim.GrpcAddress).Select(p => p.PartitionIndex).ToHashSet();
        Assert.NotEmpty(down);
        Assert.True(down.Count < PartitionCount, "the other replica servers should serve some partitions too");
        bool IsDown(byte[] hashKey) => down.Contains(PartitionResolver.PartitionIndex(hashKey, [], PartitionCount));

        cluster.KillReplica(0);

        var got = await table.BatchGetEachAsync(hashKeys.Select(h => (h, B("s"))), CallTimeout, ct);
        for (var i = 0; i < hashKeys.Length; i++)
        {
            if (IsDown(hashKeys[i]))
            {
                Assert.False(got[i].Succeeded);
                Assert.True(got[i].Error!.IsTransient, got[i].Error!.Message);
            }
            else
            {
                Assert.True(got[i].Succeeded, got[i].Error?.Message);
                Assert.Equal("before", S(got[i].Value));
            }
        }

        var set = await table.BatchSetEachAsync(hashKeys.Select(h => (h, B("s"), B("after"))), timeout: CallTimeout, cancellationToken: ct);
        for (var i = 0; i < hashKeys.Length; i++)
        {
            Assert.Equal(!IsDown(hashKeys[i]), set[i].Succeeded);
        }

        foreach (var hashKey in hashKeys.Where(h => !IsDown(h)))
        {
            Assert.Equal("after", S(await table.GetAsync(hashKey, B("s"), cancellationToken: ct)));
        }

        // The all-or-nothing variant can only fail as a whole.
        var failure = await Assert.ThrowsAnyAsync<PegasusException>(() => table.BatchGetAsync(hashKeys.Select(h => (h, B("s"))), CallTimeout, ct));
        Assert.True(failure.IsTransient, failure.Message);
    }
}
