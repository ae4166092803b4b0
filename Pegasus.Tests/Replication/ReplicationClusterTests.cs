using System.Net.Http.Json;
using System.Text;
using Pegasus.Client;
using Pegasus.Tests.Cluster;

namespace Pegasus.Tests.Replication;

/// <summary>
/// PacificA against real processes: one meta server and three replica servers with development timings, tables with
/// three copies per partition. Each test owns its cluster (they kill servers).
/// </summary>
public sealed class ReplicationClusterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Development timings: ZooKeeper is not involved; lease 3.2 s (80% of the 4 s grace), prepares time out after 2 s.</summary>
    internal static PegasusTestClusterOptions DevelopmentTimings(int servers = 3)
    {
        var options = new PegasusTestClusterOptions { ReplicaCount = servers };
        options.MetaSettings["Meta:ReplicaGracePeriod"] = "00:00:04";
        options.MetaSettings["Meta:ReconfigurationInterval"] = "00:00:00.250";
        options.ReplicaSettings["Replica:LeaseTimeout"] = "00:00:03";
        options.ReplicaSettings["Replica:PrepareTimeout"] = "00:00:02";
        return options;
    }

    [Fact]
    public async Task Writes_reach_every_copy_and_the_copies_hold_identical_data()
    {
        await using var cluster = await PegasusTestCluster.StartAsync(DevelopmentTimings(), Ct);
        var table = await cluster.CreateTableAsync(cluster.Client, "repl_identical", 4, Ct, replicaCount: 3);
        var info = await cluster.Client.Admin.WaitForTableHealthyAsync("repl_identical", cluster.WaitTimeout, Ct);
        Assert.All(info.Partitions, p => Assert.Equal(2, p.Secondaries.Count));
        Assert.All(info.Partitions, p => Assert.Equal(3, p.Secondaries.Append(p.Primary).Distinct().Count()));

        for (var i = 0; i < 300; i++)
        {
            await table.SetAsync(Key(i), "s"u8.ToArray(), Encoding.UTF8.GetBytes($"v{i}"), cancellationToken: Ct);
        }

        for (var i = 0; i < 300; i++)
        {
            Assert.Equal($"v{i}", Encoding.UTF8.GetString((await table.GetAsync(Key(i), "s"u8.ToArray(), cancellationToken: Ct))!));
        }

        await AssertCopiesIdenticalAsync(cluster, info, Ct);
    }

    [Fact]
    public async Task Killing_a_primary_promotes_a_secondary_and_loses_no_acknowledged_write()
    {
        await using var cluster = await PegasusTestCluster.StartAsync(DevelopmentTimings(), Ct);
        var table = await cluster.CreateTableAsync(cluster.Client, "repl_failover", 4, Ct, replicaCount: 3);
        var before = await cluster.Client.Admin.WaitForTableHealthyAsync("repl_failover", cluster.WaitTimeout, Ct);
        var victimAddress = before.Partitions[0].Primary!;
        var victim = cluster.Replicas.Single(r => r.GrpcAddress == victimAddress);

        var acknowledged = new List<int>();
        for (var i = 0; i < 100; i++)
        {
            await table.SetAsync(Key(i), "s"u8.ToArray(), Encoding.UTF8.GetBytes($"v{i}"), cancellationToken: Ct);
            acknowledged.Add(i);
        }

        victim.Kill();

        // Writes go on once the meta has promoted a secondary of every partition the victim led.
        for (var i = 100; i < 200; i++)
        {
            await table.SetAsync(Key(i), "s"u8.ToArray(), Encoding.UTF8.GetBytes($"v{i}"), timeout: TimeSpan.FromSeconds(30), cancellationToken: Ct);
            acknowledged.Add(i);
        }

        var during = await cluster.Client.Admin.GetTableAsync("repl_failover", Ct);
        Assert.All(during.Partitions, p => Assert.NotEqual(victimAddress, p.Primary));
        Assert.True(during.Partitions[0].Ballot > before.Partitions[0].Ballot);

        // The victim returns, learns what it missed, and every partition has three copies again.
        await victim.RestartAsync(Ct);
        var after = await cluster.Client.Admin.WaitForTableHealthyAsync("repl_failover", cluster.WaitTimeout, Ct);
        foreach (var i in acknowledged)
        {
            Assert.Equal($"v{i}", Encoding.UTF8.GetString((await table.GetAsync(Key(i), "s"u8.ToArray(), timeout: TimeSpan.FromSeconds(30), cancellationToken: Ct))!));
        }

        await AssertCopiesIdenticalAsync(cluster, after, Ct);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_server_down_while_100000_keys_are_written_rejoins_by_learning_with_identical_data(bool fromCheckpoint)
    {
        var options = DevelopmentTimings();

        // A short retained log forces the returning replicas to copy a checkpoint; the default catches them up from the log alone.
        if (fromCheckpoint)
        {
            options.ReplicaSettings["Replica:LogRetainedDecrees"] = "1000";
        }

        await using var cluster = await PegasusTestCluster.StartAsync(options, Ct);
        var name = fromCheckpoint ? "repl_learn_checkpoint" : "repl_learn_log";
        var table = await cluster.CreateTableAsync(cluster.Client, name, 4, Ct, replicaCount: 3);
        await cluster.Client.Admin.WaitForTableHealthyAsync(name, cluster.WaitTimeout, Ct);
        var stopped = cluster.Replicas[2];
        stopped.Kill();

        const int Keys = 100_000;
        const int InFlight = 64;
        var next = -1;
        var writers = Enumerable.Range(0, InFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Keys)
            {
                await table.SetAsync(Key(i), "s"u8.ToArray(), Encoding.UTF8.GetBytes($"v{i}"), timeout: TimeSpan.FromSeconds(30), cancellationToken: Ct);
            }
        });
        await Task.WhenAll(writers);

        await stopped.RestartAsync(Ct);
        var after = await cluster.Client.Admin.WaitForTableAsync(
            name, t => t.IsHealthy && t.Partitions.All(p => p.Primary == stopped.GrpcAddress || p.Secondaries.Contains(stopped.GrpcAddress)), cluster.WaitTimeout * 2, Ct);
        await AssertCopiesIdenticalAsync(cluster, after, Ct);

        var sample = new Random(7);
        for (var n = 0; n < 500; n++)
        {
            var i = sample.Next(Keys);
            Assert.Equal($"v{i}", Encoding.UTF8.GetString((await table.GetAsync(Key(i), "s"u8.ToArray(), cancellationToken: Ct))!));
        }
    }

    internal static byte[] Key(int i) => Encoding.UTF8.GetBytes($"k{i:D6}");

    /// <summary>Waits (bounded) until every copy of every partition reports the same applied decree, then compares checksums.</summary>
    internal static async Task AssertCopiesIdenticalAsync(PegasusTestCluster cluster, TableInfo info, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(cluster.WaitTimeout);
        foreach (var partition in info.Partitions)
        {
            var members = partition.Secondaries.Prepend(partition.Primary!).ToList();
            while (true)
            {
                var checksums = new List<ChecksumReply>();
                foreach (var member in members)
                {
                    var server = cluster.Replicas.Single(r => r.GrpcAddress == member);
                    var reply = await http.GetFromJsonAsync<ChecksumReply>(
                        $"{server.HttpAddress}/v1/replicas/{info.AppId}/{partition.PartitionIndex}/checksum", deadline.Token);
                    checksums.Add(reply!);
                }

                if (checksums.Select(c => c.Decree).Distinct().Count() == 1)
                {
                    Assert.Single(checksums.Select(c => c.Checksum).Distinct());
                    Assert.Single(checksums.Select(c => c.Records).Distinct());
                    break;
                }

                // The secondaries apply the primary's last committed point a moment after it; bounded by the deadline.
                try
                {
                    await Task.Delay(100, deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException(
                        $"The copies of partition {info.AppId}.{partition.PartitionIndex} did not reach one decree within {cluster.WaitTimeout}: "
                        + string.Join(", ", members.Zip(checksums, (m, c) => $"{m} {c.Role} decree {c.Decree} records {c.Records}")) + "\n" + cluster.Diagnostics());
                }
            }
        }
    }

    internal sealed record ChecksumReply(int AppId, int PartitionIndex, string Role, long Decree, string Checksum, long Records);
}
