using System.Net;
using System.Net.Sockets;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>The cluster harness itself: start failures carry the process output, disposal leaves nothing behind.</summary>
public sealed class PegasusTestClusterTests
{
    [Fact]
    public async Task StartAsync_MetaRejectsItsConfiguration_FailsWithTheProcessOutput()
    {
        var options = new PegasusTestClusterOptions { ReplicaCount = 1 };
        options.MetaSettings["Meta:ReplicaGracePeriod"] = "-00:00:01";

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(
            () => PegasusTestCluster.StartAsync(options, TestContext.Current.CancellationToken));

        Assert.Contains("ReplicaGracePeriod", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ReplicaRejectsItsConfiguration_FailsWithTheProcessOutput()
    {
        var options = new PegasusTestClusterOptions { ReplicaCount = 2 };
        options.ReplicaSettings["Replica:LeaseTimeout"] = "00:00:00.100";

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(
            () => PegasusTestCluster.StartAsync(options, TestContext.Current.CancellationToken));

        Assert.Contains("Replica:LeaseTimeout", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_StopsEveryProcessAndDeletesTheData()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = await PegasusTestCluster.StartAsync(new PegasusTestClusterOptions { ReplicaCount = 2 }, ct);
        var client = cluster.CreateClient();
        var table = await cluster.CreateTableAsync(client, PegasusClusterFixture.UniqueTableName("harness_dispose"), partitionCount: 2, ct);
        await table.SetAsync(B("h"), B("s"), B("v"), cancellationToken: ct);
        Assert.Equal(2, cluster.Replicas.Count);
        Assert.True(Directory.Exists(cluster.RootDirectory));

        int[] ports = [cluster.Meta.GrpcPort, cluster.Meta.HttpPort, .. cluster.Replicas.SelectMany(r => new[] { r.GrpcPort, r.HttpPort })];
        var meta = cluster.Meta;
        ReplicaServerProcess[] replicas = [.. cluster.Replicas];

        await cluster.DisposeAsync();

        // Disposed handles answer "not running" (diagnostics read them after teardown) instead of throwing.
        Assert.True(meta.HasExited);
        Assert.Null(meta.ExitCode);
        Assert.All(replicas, replica => Assert.False(replica.IsRunning));

        // Every process is gone: nothing listens on their ports any more.
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }

        Assert.False(Directory.Exists(cluster.RootDirectory));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.OpenTableAsync(table.Name, ct));
    }
}
