using System.Diagnostics;
using System.Net;
using System.Text;
using Pegasus.Client;
using Pegasus.Tests.Cluster;

namespace Pegasus.Tests.MetaZooKeeper;

/// <summary>
/// The high-availability deployment as real processes (ZooKeeper, two metas, three replica servers,
/// clients that know both metas): the meta leader crashing, and ZooKeeper restarting.
/// </summary>
/// <remarks>One class so its heavy clusters run one after another, never side by side.</remarks>
public sealed class MetaFailoverTests
{
    // Short, so a crashed leader is replaced quickly; the servers grant 1 s..60 s in tests.
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LeaderKilled_StandbyTakesOver_ClientsContinue_NoStateLost()
    {
        await using var cluster = await HighAvailabilityCluster.StartAsync(SessionTimeout, replicaCount: 3, Ct);
        var client = cluster.CreateClient();
        var name = PegasusClusterFixture.UniqueTableName("failover");
        await client.Admin.CreateTableAsync(name, partitionCount: 8, replicaCount: 1, Ct);
        var table = await client.OpenTableAsync(name, Ct);
        await cluster.WaitUntilServedAsync(table);
        var before = await client.Admin.GetTableAsync(name, Ct);
        var tablesBefore = await client.Admin.ListTablesAsync(Ct);
        var leader = await cluster.WaitForSingleLeaderAsync(HighAvailabilityCluster.WaitTimeout, Ct);
        var standby = cluster.Metas.Single(meta => meta != leader);
        Assert.Equal(HttpStatusCode.OK, await cluster.GetHealthAsync(standby, Ct));

        await using var load = WriteLoad.Start(table);
        await ClusterTestHelpers.EventuallyAsync(() => Task.FromResult(load.Acknowledged >= 50), () => $"the load made no progress: {load.FailureSample}");

        var clock = Stopwatch.StartNew();
        leader.Kill();
        var newLeader = await cluster.WaitForSingleLeaderAsync(HighAvailabilityCluster.WaitTimeout, Ct);
        var takeover = clock.Elapsed;

        Assert.Same(standby, newLeader);
        Assert.True(
            takeover <= SessionTimeout + TimeSpan.FromSeconds(5),
            $"The standby led only {takeover} after the leader was killed (session timeout {SessionTimeout}).\n{cluster.Diagnostics()}");

        // The same clients, never restarted, get writes acknowledged again after the takeover.
        var acknowledgedAtTakeover = load.Acknowledged;
        await ClusterTestHelpers.EventuallyAsync(
            () => Task.FromResult(load.Acknowledged >= acknowledgedAtTakeover + 200),
            () => $"writes stalled after the takeover at {load.Acknowledged}; failures: {load.FailureSample}\n{cluster.Diagnostics()}");

        // Routing and admin through the same client reach the new leader (the dead one is skipped).
        var reopened = await client.OpenTableAsync(name, Ct);
        await cluster.WaitForReplicasAliveAsync(client, Ct);
        var second = await client.Admin.CreateTableAsync(PegasusClusterFixture.UniqueTableName("after"), partitionCount: 4, replicaCount: 1, Ct);
        await cluster.WaitUntilServedAsync(await client.OpenTableAsync(second.Name, Ct));
        await load.StopAsync();

        // Nothing lost or rolled back: the same table, the same partitions, ballots not lower.
        var after = await client.Admin.GetTableAsync(name, Ct);
        Assert.Equal((before.AppId, before.PartitionCount, before.ReplicaCount, before.Status), (after.AppId, after.PartitionCount, after.ReplicaCount, after.Status));
        Assert.Equal(before.PartitionCount, reopened.PartitionCount);
        foreach (var (old, now) in before.Partitions.Zip(after.Partitions))
        {
            Assert.Equal(old.PartitionIndex, now.PartitionIndex);
            Assert.True(now.Ballot >= old.Ballot, $"Partition {now.PartitionIndex}: ballot {now.Ballot} < {old.Ballot}.");
            if (now.Ballot == old.Ballot)
            {
                Assert.Equal((old.Primary, old.Secondaries.Order().ToArray()), (now.Primary, now.Secondaries.Order().ToArray()));
            }
        }

        var tablesAfter = await client.Admin.ListTablesAsync(Ct);
        Assert.All(tablesBefore, table => Assert.Contains(tablesAfter, t => t.Name == table.Name && t.AppId == table.AppId));
        Assert.True(second.AppId > tablesBefore.Max(t => t.AppId), $"The new table got app id {second.AppId}, reusing an old one.");

        // Every acknowledged write is readable, through the client that lived through the takeover.
        await AssertReadableAsync(table, load.AcknowledgedWrites);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Takeover after {takeover}; {load.Acknowledged} writes acknowledged ({acknowledgedAtTakeover} before the takeover), {load.Failed} failed: {load.FailureSample}");
    }

    [Fact]
    public async Task ZooKeeperRestartedBriefly_NothingLost_NoPegasusProcessRestarted()
    {
        await using var cluster = await HighAvailabilityCluster.StartAsync(SessionTimeout, replicaCount: 3, Ct);
        var client = cluster.CreateClient();
        var name = PegasusClusterFixture.UniqueTableName("zkrestart");
        await client.Admin.CreateTableAsync(name, partitionCount: 4, replicaCount: 1, Ct);
        var table = await client.OpenTableAsync(name, Ct);
        await cluster.WaitUntilServedAsync(table);
        var written = new List<(string Key, string Value)>();
        for (var i = 0; i < 100; i++)
        {
            written.Add(($"before-{i}", $"value-{i}"));
            await table.SetAsync(B(written[i].Key), B("s"), B(written[i].Value), cancellationToken: Ct);
        }

        var before = await client.Admin.GetTableAsync(name, Ct);

        // Down for about as long as a JVM takes to start again: shorter than the session timeout.
        // Meanwhile no meta is ready: readiness includes the ZooKeeper connection.
        var clock = Stopwatch.StartNew();
        cluster.ZooKeeper.Kill();
        await ClusterTestHelpers.EventuallyAsync(
            async () => (await Task.WhenAll(cluster.Metas.Select(meta => cluster.GetHealthAsync(meta, Ct)))).All(status => status == HttpStatusCode.ServiceUnavailable),
            () => "a meta still reports ready without ZooKeeper",
            SessionTimeout);
        await cluster.ZooKeeper.StartAsync(Ct);
        var downtime = clock.Elapsed;

        // The scenario is an outage the sessions outlive; a longer one would be a session-expiry test.
        Assert.True(
            downtime < SessionTimeout,
            $"ZooKeeper was down for {downtime}, not shorter than the {SessionTimeout} session timeout.\n{cluster.Diagnostics()}");

        await cluster.WaitForSingleLeaderAsync(HighAvailabilityCluster.WaitTimeout, Ct);
        await cluster.WaitForReplicasAliveAsync(client, Ct);

        var after = await client.Admin.GetTableAsync(name, Ct);
        Assert.Equal((before.AppId, before.PartitionCount, before.Status), (after.AppId, after.PartitionCount, after.Status));
        Assert.Equal(before.Partitions.Select(p => (p.Ballot, p.Primary)), after.Partitions.Select(p => (p.Ballot, p.Primary)));

        // The admin API writes to ZooKeeper again, and data operations work on old and new tables.
        var created = await client.Admin.CreateTableAsync(PegasusClusterFixture.UniqueTableName("afterzk"), partitionCount: 2, replicaCount: 1, Ct);
        var newTable = await client.OpenTableAsync(created.Name, Ct);
        await cluster.WaitUntilServedAsync(newTable);
        await table.SetAsync(B("after"), B("s"), B("1"), cancellationToken: Ct);
        await newTable.SetAsync(B("after"), B("s"), B("2"), cancellationToken: Ct);
        Assert.Equal("1", S(await table.GetAsync(B("after"), B("s"), cancellationToken: Ct)));
        Assert.Equal("2", S(await newTable.GetAsync(B("after"), B("s"), cancellationToken: Ct)));
        await AssertReadableAsync(table, written);

        Assert.True(cluster.Metas.All(meta => !meta.HasExited), $"A meta server exited.\n{cluster.Diagnostics()}");
        Assert.True(cluster.Replicas.All(replica => replica.IsRunning), $"A replica server exited.\n{cluster.Diagnostics()}");
        TestContext.Current.TestOutputHelper?.WriteLine($"ZooKeeper was down for {downtime}.");
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string S(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    private static async Task AssertReadableAsync(PegasusTable table, IEnumerable<(string Key, string Value)> writes)
    {
        var all = writes.ToList();
        Assert.NotEmpty(all);
        foreach (var chunk in all.Chunk(256))
        {
            var values = await Task.WhenAll(chunk.Select(write => table.GetAsync(B(write.Key), B("s"), cancellationToken: Ct)));
            foreach (var (write, value) in chunk.Zip(values))
            {
                Assert.True(S(value) == write.Value, $"Acknowledged write {write.Key} reads {S(value)}, not {write.Value}.");
            }
        }
    }
}
