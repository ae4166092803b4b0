using System.Diagnostics;
using System.Text;
using Pegasus.Client;
using Pegasus.LocalCluster;
using Pegasus.Protocol;
using Pegasus.Protocol.Hashing;
using static Pegasus.Tests.Chaos.ChaosTestSupport;

namespace Pegasus.Tests.Chaos;

/// <summary>
/// The fault-injection harness on what is built today (replica count 1): <see cref="ProcessCluster"/> kills, pauses,
/// cuts off and restarts real servers, and each comes back on its ports with its data.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class LocalClusterFaultTests
{
    private const string Table = "harness";
    private const int PartitionCount = 2;

    private static readonly TimeSpan DownTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ProcessCluster_KillPauseIsolateAndCrashAll_ServersComeBackWithTheirData()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new ProcessClusterOptions
        {
            ReplicaServers = 2,
            Proxies = true,
            LogFiles = true,
            DirectoryPrefix = "pegasus-chaos-harness-",
            Environment = new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" },
        };
        await using var cluster = await ProcessCluster.StartAsync(options, TestLog(), ct);
        await using var client = new PegasusClient(new PegasusClientOptions
        {
            MetaServers = [cluster.MetaGrpcAddress],
            MetaAdminAddresses = [cluster.MetaHttpAddress],
            DefaultTimeout = TimeSpan.FromSeconds(5),
            AdminTimeout = TimeSpan.FromSeconds(3),
            ConnectTimeout = TimeSpan.FromSeconds(1),
            RetryMaxBackoff = TimeSpan.FromMilliseconds(250),
            KeepAlivePingDelay = TimeSpan.FromSeconds(1),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(2),
        });
        await client.Admin.CreateTableAsync(Table, PartitionCount, replicaCount: 1, ct);
        var layout = await client.Admin.WaitForTableAsync(Table, t => t.AllPartitionsHavePrimary, RecoveryTimeout, ct);
        var table = await client.OpenTableAsync(Table, ct);

        // Servers advertise their proxies: that is the identity the meta and clients know them by.
        Assert.All(layout.Partitions, p => Assert.Equal(cluster.FindReplica(p.Primary)?.DataProxy?.Address, p.Primary));
        var victim = cluster.FindReplica(layout.Partitions[0].Primary)!;
        var hashKey = HashKeyOfPartition(0);
        await EventuallyAsync(() => table.SetAsync(hashKey, B("s"), B("v1"), cancellationToken: ct), ct);

        // kill -9, then a restart on the same ports and data directory.
        var pid = victim.Process.ProcessId;
        cluster.KillReplica(victim.Index);
        Assert.False(victim.Process.IsRunning);
        var killed = await Assert.ThrowsAsync<PegasusException>(() => table.GetAsync(hashKey, B("s"), DownTimeout, ct));
        Assert.True(killed.IsTransient, killed.Message);
        await cluster.RestartReplicaAsync(victim.Index, ct);
        Assert.NotEqual(pid, victim.Process.ProcessId);
        Assert.Equal(2, victim.Process.Launches);
        Assert.Equal("v1", await ReadEventuallyAsync(table, hashKey, ct));

        // SIGSTOP: the server holds its connections but answers nothing until SIGCONT.
        Assert.True(cluster.PauseReplica(victim.Index));
        Assert.True(victim.Process.IsPaused);
        var paused = await Assert.ThrowsAsync<PegasusException>(() => table.GetAsync(hashKey, B("s"), DownTimeout, ct));
        Assert.Equal(ErrorCode.Timeout, paused.Error);
        Assert.True(cluster.ResumeReplica(victim.Index));
        Assert.Equal("v1", await ReadEventuallyAsync(table, hashKey, ct));

        // Its links cut at the proxies, by resets and by silence; healed, it serves again.
        foreach (var fault in new[] { ProxyFault.Reset, ProxyFault.Blackhole })
        {
            cluster.IsolateReplica(victim.Index, fault);
            Assert.True(victim.IsIsolated);
            var cut = await Assert.ThrowsAsync<PegasusException>(() => table.GetAsync(hashKey, B("s"), DownTimeout, ct));
            Assert.True(cut.IsTransient, $"{fault}: {cut.Message}");
            cluster.HealReplica(victim.Index);
            Assert.False(victim.IsIsolated);
            Assert.Equal("v1", await ReadEventuallyAsync(table, hashKey, ct));
        }

        // The meta server: killed, the admin API is gone; restarted, it has the table.
        cluster.KillMeta();
        Assert.False(cluster.Meta.IsRunning);
        await Assert.ThrowsAsync<PegasusException>(() => client.Admin.GetTableAsync(Table, ct));
        await cluster.RestartMetaAsync(ct);
        Assert.Equal(PartitionCount, (await client.Admin.GetTableAsync(Table, ct)).PartitionCount);

        // Every process at once, then everything back: the acknowledged write is still there.
        cluster.KillAll();
        Assert.False(cluster.Meta.IsRunning);
        Assert.All(cluster.Replicas, r => Assert.False(r.Process.IsRunning));
        var actions = await cluster.HealAllAsync(ct);
        Assert.Contains("restarted meta", actions);
        Assert.All(cluster.Replicas, r => Assert.Contains($"restarted {r.Name}", actions));
        Assert.Equal("v1", await ReadEventuallyAsync(table, hashKey, ct));
        Assert.Empty(await cluster.HealAllAsync(ct));
        Assert.True(File.Exists(Path.Combine(cluster.RootDirectory, "logs", victim.Name + ".log")));
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] HashKeyOfPartition(int partition)
    {
        for (var n = 0; ; n++)
        {
            var key = B("k" + n);
            if (PartitionResolver.PartitionIndex(key, [], PartitionCount) == partition)
            {
                return key;
            }
        }
    }

    private static async Task<string?> ReadEventuallyAsync(PegasusTable table, byte[] hashKey, CancellationToken ct)
    {
        byte[]? value = null;
        await EventuallyAsync(async () => value = await table.GetAsync(hashKey, B("s"), TimeSpan.FromSeconds(2), ct), ct);
        return value is null ? null : Encoding.UTF8.GetString(value);
    }

    /// <summary>Retries <paramref name="action"/> while it fails transiently (a server coming back), bounded.</summary>
    private static async Task EventuallyAsync(Func<Task> action, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(RecoveryTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                await action();
                return;
            }
            catch (PegasusException ex) when (ex.IsTransient && Stopwatch.GetTimestamp() < deadline)
            {
                // Poll interval of a bounded wait for the server to open its partitions again.
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
        }
    }
}
