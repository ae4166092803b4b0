using System.Collections.Concurrent;
using Pegasus.Client;
using Pegasus.Protocol.Hashing;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>
/// Restarting replica server processes (kill -9, or a graceful stop of all of them) on the same ports and
/// data directories keeps every acknowledged write, and the same client recovers on its own. Each test
/// runs its own cluster, since it kills processes.
/// </summary>
public sealed class ReplicaRestartTests
{
    private const int PartitionCount = 8;
    private const int RecordCount = 240;

    /// <summary>Generous: after a restart the first call waits for the partition to be opened again.</summary>
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill9OneReplica_RestartSamePortsAndData_SameClientReadsEverything()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await PegasusTestCluster.StartAsync(cancellationToken: ct);
        var client = cluster.CreateClient();
        var table = await cluster.CreateTableAsync(client, PegasusClusterFixture.UniqueTableName("restart_kill9"), PartitionCount, ct);
        var expected = await WriteRecordsAsync(table);
        await AssertAllReadableAsync(table, expected, cluster, TimeSpan.FromSeconds(15));

        var victim = cluster.Replicas[0];
        var layout = await client.Admin.GetTableAsync(table.Name, ct);
        var victimPartitions = layout.Partitions.Where(p => p.Primary == victim.GrpcAddress).Select(p => p.PartitionIndex).ToHashSet();
        Assert.NotEmpty(victimPartitions);
        Assert.True(victimPartitions.Count < PartitionCount, "the other replica servers should serve some partitions too");

        cluster.KillReplica(0);

        // While it is down, partitions of the other servers keep serving.
        var elsewhere = expected.Keys.First(key => !victimPartitions.Contains(PartitionResolver.PartitionIndex(B(key.HashKey), [], PartitionCount)));
        Assert.Equal(expected[elsewhere], S(await table.GetAsync(B(elsewhere.HashKey), B(elsewhere.SortKey), cancellationToken: ct)));

        // ...and its own partitions are really down: a read fails (transiently) instead of answering.
        var onVictim = expected.Keys.First(key => victimPartitions.Contains(PartitionResolver.PartitionIndex(B(key.HashKey), [], PartitionCount)));
        var down = await Assert.ThrowsAsync<PegasusException>(
            () => table.GetAsync(B(onVictim.HashKey), B(onVictim.SortKey), timeout: TimeSpan.FromSeconds(1), cancellationToken: ct));
        Assert.True(down.IsTransient, $"{down.Error}: {down.Message}");

        await cluster.RestartReplicaAsync(0, ct);

        await AssertAllReadableAsync(table, expected, cluster, RecoveryTimeout);
        await AssertWritableAsync(table, cluster);
    }

    [Fact]
    public async Task StopAllReplicasGracefully_RestartSamePortsAndData_SameClientReadsEverything()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await PegasusTestCluster.StartAsync(cancellationToken: ct);
        var client = cluster.CreateClient();
        var table = await cluster.CreateTableAsync(client, PegasusClusterFixture.UniqueTableName("restart_all"), PartitionCount, ct);
        var expected = await WriteRecordsAsync(table);
        await AssertAllReadableAsync(table, expected, cluster, TimeSpan.FromSeconds(15));

        var stopped = await Task.WhenAll(Enumerable.Range(0, cluster.Replicas.Count).Select(cluster.StopReplicaAsync));
        Assert.True(stopped.All(graceful => graceful), $"every replica server should stop on SIGTERM\n{cluster.Diagnostics()}");

        await Task.WhenAll(Enumerable.Range(0, cluster.Replicas.Count).Select(i => cluster.RestartReplicaAsync(i, ct)));

        await AssertAllReadableAsync(table, expected, cluster, RecoveryTimeout);
        await AssertWritableAsync(table, cluster);
    }

    [Fact]
    public async Task Kill9UnderWriteLoad_EveryAcknowledgedWriteSurvives()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await PegasusTestCluster.StartAsync(new PegasusTestClusterOptions { ReplicaCount = 1 }, ct);
        var client = cluster.CreateClient();
        var table = await cluster.CreateTableAsync(client, PegasusClusterFixture.UniqueTableName("restart_load"), partitionCount: 4, ct);
        const int AcknowledgedBeforeKill = 400;
        var acknowledged = new ConcurrentQueue<int>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopping = 0;
        var next = -1;

        async Task WriteUntilStoppedAsync()
        {
            while (Volatile.Read(ref stopping) == 0)
            {
                var i = Interlocked.Increment(ref next);
                try
                {
                    await table.SetAsync(B($"load{i}"), B("s"), B($"value{i}"), timeout: TimeSpan.FromSeconds(3), cancellationToken: ct);
                }
                catch (PegasusException) when (Volatile.Read(ref stopping) != 0)
                {
                    // In flight when the server died: it may or may not have been applied.
                    return;
                }

                acknowledged.Enqueue(i);
                if (acknowledged.Count >= AcknowledgedBeforeKill)
                {
                    enough.TrySetResult();
                }
            }
        }

        var writers = Enumerable.Range(0, 16).Select(_ => Task.Run(WriteUntilStoppedAsync, ct)).ToList();
        await enough.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        Volatile.Write(ref stopping, 1);
        cluster.KillReplica(0);
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60), ct);

        await cluster.RestartReplicaAsync(0, ct);

        var keys = acknowledged.ToList();
        Assert.True(keys.Count >= AcknowledgedBeforeKill);
        IReadOnlyList<BatchGetItem> items;
        try
        {
            items = await table.BatchGetAsync(keys.Select(i => (B($"load{i}"), B("s"))), RecoveryTimeout, ct);
        }
        catch (PegasusException ex)
        {
            Assert.Fail($"Reading back failed: {ex.Message}\n{cluster.Diagnostics()}");
            throw;
        }

        var lost = keys.Where((key, index) => S(items[index].Value) != $"value{key}").ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {keys.Count} acknowledged writes were lost, e.g. load{string.Join(", load", lost.Take(10))}");
    }

    [Fact]
    public async Task Kill9DuringScans_RestartedServer_ScannersResumeWithoutLossOrDuplicates()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await PegasusTestCluster.StartAsync(new PegasusTestClusterOptions { ReplicaCount = 1 }, ct);
        var client = cluster.CreateClient();
        var table = await cluster.CreateTableAsync(client, PegasusClusterFixture.UniqueTableName("restart_scan"), partitionCount: 2, ct);
        await table.MultiSetAsync(B("h"), Enumerable.Range(0, 100).Select(i => (B($"s{i:D3}"), B($"v{i}"))), cancellationToken: ct);
        await table.BatchSetAsync(Enumerable.Range(0, 100).Select(i => (B($"other{i}"), B("s"), B($"o{i}"))), cancellationToken: ct);

        // Both scanners hold a server context (mid-scan) when the server dies.
        using var roundTrips = new ClientOperationCounter(table.Name);
        var options = new ScanOptions { BatchSize = 10, Timeout = RecoveryTimeout };
        await using var hashScanner = await table.GetScannerAsync(B("h"), [], [], options, ct);
        var fullScanners = await table.GetUnorderedScannersAsync(1, options, ct);
        await using var fullScanner = fullScanners.Single();
        await using var hashRecords = hashScanner.GetAsyncEnumerator(ct);
        await using var fullRecords = fullScanner.GetAsyncEnumerator(ct);
        var hashSeen = new List<string>();
        var fullSeen = new List<string>();
        for (var i = 0; i < 15; i++)
        {
            Assert.True(await hashRecords.MoveNextAsync());
            hashSeen.Add(S(hashRecords.Current.SortKey));
            Assert.True(await fullRecords.MoveNextAsync());
            fullSeen.Add($"{S(fullRecords.Current.HashKey)}/{S(fullRecords.Current.SortKey)}");
        }

        cluster.KillReplica(0);
        await cluster.RestartReplicaAsync(0, ct);

        try
        {
            while (await hashRecords.MoveNextAsync())
            {
                hashSeen.Add(S(hashRecords.Current.SortKey));
            }

            while (await fullRecords.MoveNextAsync())
            {
                fullSeen.Add($"{S(fullRecords.Current.HashKey)}/{S(fullRecords.Current.SortKey)}");
            }
        }
        catch (PegasusException ex)
        {
            Assert.Fail($"A scanner did not resume: {ex.Message}\n{cluster.Diagnostics()}");
        }

        // Without the restart the scans open 3 contexts (one hash key, two partitions); each scanner reopened once.
        Assert.True(roundTrips.Count("GetScanner") >= 5, $"GetScanner was called {roundTrips.Count("GetScanner")} times");
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"s{i:D3}"), hashSeen);
        var expectedFull = Enumerable.Range(0, 100).Select(i => $"h/s{i:D3}").Concat(Enumerable.Range(0, 100).Select(i => $"other{i}/s"));
        Assert.Equal(expectedFull.Order(StringComparer.Ordinal), fullSeen.Order(StringComparer.Ordinal));
    }

    /// <summary>Single sets, a multi-set per hash key and an incremented counter, spread over every partition.</summary>
    private static async Task<Dictionary<(string HashKey, string SortKey), string>> WriteRecordsAsync(PegasusTable table)
    {
        var ct = TestContext.Current.CancellationToken;
        var expected = new Dictionary<(string HashKey, string SortKey), string>();
        var singles = Enumerable.Range(0, RecordCount).Select(i => (HashKey: $"user{i % 60}", SortKey: $"single{i}", Value: $"value{i}")).ToList();
        await table.BatchSetAsync(singles.Select(r => (B(r.HashKey), B(r.SortKey), B(r.Value))), cancellationToken: ct);
        foreach (var (hashKey, sortKey, value) in singles)
        {
            expected[(hashKey, sortKey)] = value;
        }

        for (var h = 0; h < 60; h += 6)
        {
            var hashKey = $"user{h}";
            await table.MultiSetAsync(B(hashKey), [(B("m1"), B($"{hashKey}-m1")), (B("m2"), B($"{hashKey}-m2"))], cancellationToken: ct);
            expected[(hashKey, "m1")] = $"{hashKey}-m1";
            expected[(hashKey, "m2")] = $"{hashKey}-m2";
            await table.IncrAsync(B(hashKey), B("counter"), 5, cancellationToken: ct);
            await table.IncrAsync(B(hashKey), B("counter"), 6, cancellationToken: ct);
            expected[(hashKey, "counter")] = "11";
        }

        return expected;
    }

    /// <summary>Reads every record back (one batch get, then a full scan) with a bounded recovery window.</summary>
    private static async Task AssertAllReadableAsync(
        PegasusTable table, Dictionary<(string HashKey, string SortKey), string> expected, PegasusTestCluster cluster, TimeSpan timeout)
    {
        var ct = TestContext.Current.CancellationToken;
        var keys = expected.Keys.ToList();
        IReadOnlyList<BatchGetItem> items;
        try
        {
            items = await table.BatchGetAsync(keys.Select(k => (B(k.HashKey), B(k.SortKey))), timeout, ct);
        }
        catch (PegasusException ex)
        {
            Assert.Fail($"Reading back failed: {ex.Message}\n{cluster.Diagnostics()}");
            throw;
        }

        var missing = keys.Where((key, i) => S(items[i].Value) != expected[key]).Select(key => $"{key.HashKey}/{key.SortKey}").ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} record(s) lost or wrong: {string.Join(", ", missing.Take(20))}");

        var scanned = await ScanAllAsync(table, new ScanOptions { BatchSize = 50, Timeout = timeout });
        Assert.Equal(
            expected.Select(kv => $"{kv.Key.HashKey}/{kv.Key.SortKey}={kv.Value}").Order(StringComparer.Ordinal),
            scanned.Select(r => $"{S(r.HashKey)}/{S(r.SortKey)}={S(r.Value)}").Order(StringComparer.Ordinal));
    }

    private static async Task AssertWritableAsync(PegasusTable table, PegasusTestCluster cluster)
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var hashKey in PegasusTestCluster.ProbeKeys(PartitionCount, "after-restart-"))
        {
            try
            {
                await table.SetAsync(hashKey, B("s"), B("written after the restart"), timeout: RecoveryTimeout, cancellationToken: ct);
                Assert.Equal("written after the restart", S(await table.GetAsync(hashKey, B("s"), cancellationToken: ct)));
            }
            catch (PegasusException ex)
            {
                Assert.Fail($"Writing after the restart failed: {ex.Message}\n{cluster.Diagnostics()}");
            }
        }

        // The counter written before the restart continues from its value.
        Assert.Equal(12, await table.IncrAsync(B("user0"), B("counter"), 1, cancellationToken: ct));
    }
}
