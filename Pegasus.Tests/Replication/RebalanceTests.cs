using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Pegasus.Client;
using Pegasus.Tests.Cluster;

namespace Pegasus.Tests.Replication;

/// <summary>
/// Rebalancing against real processes: a meta server and replica servers with development timings; a server joins
/// and primaries, then copies, move onto it while clients write. Each test owns its cluster.
/// </summary>
public sealed class RebalanceTests
{
    private static readonly byte[] SortKey = "s"u8.ToArray();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddingAServer_MovesPrimariesAndCopiesOntoIt_AndLosesNoWrite()
    {
        var options = ReplicationClusterTests.DevelopmentTimings();
        options.MetaSettings["Meta:RebalanceInterval"] = "00:00:01";
        await using var cluster = await PegasusTestCluster.StartAsync(options, Ct);
        const string name = "rebalance_join";
        var table = await cluster.CreateTableAsync(cluster.Client, name, 8, Ct, replicaCount: 3);
        await cluster.Client.Admin.WaitForTableHealthyAsync(name, cluster.WaitTimeout, Ct);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.MetaHttpAddresses[0]), Timeout = TimeSpan.FromSeconds(30) };
        Assert.True((await GetPlanAsync(http)).Balanced);

        // Data the learners will copy from checkpoints, then writers that keep going while partitions move.
        for (var i = 0; i < 400; i++)
        {
            await table.SetAsync(Key(-1 - i), SortKey, Value(-1 - i), cancellationToken: Ct);
        }

        var writers = new Writers(table);
        writers.Start(count: 2);
        await writers.WaitForAsync(200, cluster.WaitTimeout);

        var joined = await cluster.AddReplicaServerAsync(Ct);
        var servers = cluster.Replicas.Select(r => r.GrpcAddress).ToList();
        var balanced = await WaitUntilBalancedAsync(cluster, http, name, servers, TimeSpan.FromSeconds(180));
        var written = writers.Count;
        await writers.StopAsync();

        // The new server leads and holds its share; every partition has exactly its three copies.
        Assert.Equal(6, balanced.Partitions.Count(p => p.Primary == joined.GrpcAddress || p.Secondaries.Contains(joined.GrpcAddress)));
        Assert.Equal(2, balanced.Partitions.Count(p => p.Primary == joined.GrpcAddress));

        // No write failed for good (retries inside the operation's timeout are fine), and every acknowledged one reads back.
        Assert.True(writers.Failures.IsEmpty, $"{writers.Failures.Count} writes failed: {string.Join(" | ", writers.Failures.Take(5))}");
        Assert.True(written > 200, $"only {written} writes were acknowledged while the cluster rebalanced");
        var keys = writers.Acknowledged.Concat(Enumerable.Range(1, 400).Select(i => -i)).ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, token) =>
        {
            var value = await table.GetAsync(Key(i), SortKey, timeout: TimeSpan.FromSeconds(30), cancellationToken: token);
            Assert.Equal(Value(i), value);
        });

        var info = await cluster.Client.Admin.GetTableAsync(name, Ct);
        await ReplicationClusterTests.AssertCopiesIdenticalAsync(cluster, info, Ct);
    }

    [Fact]
    public async Task AServerThatReturns_GetsItsShareBack_AndNoWriteIsLost()
    {
        var options = ReplicationClusterTests.DevelopmentTimings(servers: 4);
        options.MetaSettings["Meta:RebalanceInterval"] = "00:00:01";
        await using var cluster = await PegasusTestCluster.StartAsync(options, Ct);
        const string name = "rebalance_return";
        var table = await cluster.CreateTableAsync(cluster.Client, name, 8, Ct, replicaCount: 3);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.MetaHttpAddresses[0]), Timeout = TimeSpan.FromSeconds(30) };
        var servers = cluster.Replicas.Select(r => r.GrpcAddress).ToList();
        await WaitUntilBalancedAsync(cluster, http, name, servers, TimeSpan.FromSeconds(120));

        var writers = new Writers(table);
        writers.Start(count: 2);
        await writers.WaitForAsync(100, cluster.WaitTimeout);

        // One server dies: its copies are made again on the other three (8 each), its primaries move away.
        var victim = cluster.Replicas[1];
        victim.Kill();
        var degraded = await cluster.Client.Admin.WaitForTableAsync(
            name,
            t => t.IsHealthy && t.Partitions.All(p => p.Primary != victim.GrpcAddress && !p.Secondaries.Contains(victim.GrpcAddress)),
            TimeSpan.FromSeconds(120),
            Ct);
        Assert.All(degraded.Partitions, p => Assert.Equal(2, p.Secondaries.Count));

        // It returns (with its old data on disk) and gets its share back: copies first, then primaries.
        await cluster.RestartReplicaAsync(1, Ct);
        var balanced = await WaitUntilBalancedAsync(cluster, http, name, servers, TimeSpan.FromSeconds(180));
        await writers.StopAsync();
        Assert.Equal(6, balanced.Partitions.Count(p => p.Primary == victim.GrpcAddress || p.Secondaries.Contains(victim.GrpcAddress)));
        Assert.Equal(2, balanced.Partitions.Count(p => p.Primary == victim.GrpcAddress));

        Assert.True(writers.Failures.IsEmpty, $"{writers.Failures.Count} writes failed: {string.Join(" | ", writers.Failures.Take(5))}");
        await Parallel.ForEachAsync(writers.Acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, token) =>
        {
            var value = await table.GetAsync(Key(i), SortKey, timeout: TimeSpan.FromSeconds(30), cancellationToken: token);
            Assert.Equal(Value(i), value);
        });

        var info = await cluster.Client.Admin.GetTableAsync(name, Ct);
        await ReplicationClusterTests.AssertCopiesIdenticalAsync(cluster, info, Ct);
    }

    [Fact]
    public async Task AdminApi_GetShowsThePlan_AndPostRunsIt()
    {
        var options = ReplicationClusterTests.DevelopmentTimings();
        options.MetaSettings["Meta:AutoRebalance"] = "false";
        await using var cluster = await PegasusTestCluster.StartAsync(options, Ct);
        const string name = "rebalance_admin";
        await cluster.CreateTableAsync(cluster.Client, name, 8, Ct, replicaCount: 3);
        await cluster.Client.Admin.WaitForTableHealthyAsync(name, cluster.WaitTimeout, Ct);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.MetaHttpAddresses[0]), Timeout = TimeSpan.FromSeconds(30) };

        var before = await GetPlanAsync(http);
        Assert.True(before.Balanced);
        Assert.False(before.AutoRebalance);
        Assert.Empty(before.Moves);
        Assert.All(before.Nodes, n => Assert.Equal(8, n.Replicas));
        Assert.Equal(8, before.Nodes.Sum(n => n.Primaries));
        Assert.Equal(name, Assert.Single(before.Tables).Name);

        // Bad requests get the admin error shape.
        foreach (var (method, query) in new[] { ("GET", "0"), ("GET", "abc"), ("POST", "-1"), ("POST", "1001"), ("GET", "1&maxMoves=2") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "/v1/rebalance?maxMoves=" + query);
            using var response = await http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("InvalidParameters", (await response.Content.ReadFromJsonAsync<ErrorReply>(Ct))!.Error);
        }

        var joined = await cluster.AddReplicaServerAsync(Ct);
        var plan = await GetPlanAsync(http);
        Assert.False(plan.Balanced);
        Assert.Null(plan.Blocked);
        Assert.Equal(6, plan.Moves.Count);
        Assert.All(plan.Moves, move =>
        {
            Assert.Equal("Replica", move.Kind);
            Assert.Equal(joined.GrpcAddress, move.To);
            Assert.Equal(name, move.Table);
        });
        Assert.Contains(plan.Nodes, n => n.Address == joined.GrpcAddress && n.Alive && n.Replicas == 0);
        Assert.Equal(2, (await GetPlanAsync(http, "?maxMoves=2")).Moves.Count);

        // A plan changes nothing; with automatic rounds off nothing moves until asked.
        var unchanged = await GetTableAsync(http, name);
        Assert.All(unchanged.Partitions, p => Assert.Empty(p.Learners ?? []));

        var first = await RunAsync(http, "?maxMoves=2");
        Assert.Equal(2, first.Planned);
        Assert.Equal(2, first.Started.Count);
        var learning = await GetTableAsync(http, name);
        Assert.All(first.Started, move =>
        {
            // Learning, or already joined (the partitions hold little data) and maybe trimmed by the guardian.
            var partition = learning.Partitions[move.PartitionIndex];
            Assert.True(partition.Ballot > move.Ballot);
            Assert.Contains(joined.GrpcAddress, partition.Secondaries.Concat(partition.Learners ?? []));
        });
        var bounded = await GetPlanAsync(http, "?maxMoves=2");
        Assert.InRange(bounded.InFlight + bounded.Moves.Count, 0, 2);

        // Round after round, until nothing is left: the learners join, the guardian trims, swaps give the new server primaries.
        var servers = cluster.Replicas.Select(r => r.GrpcAddress).ToList();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(120));
        var rounds = 0;
        while (true)
        {
            var current = await GetPlanAsync(http);
            if (current.Balanced && IsEven(await GetTableAsync(http, name), servers))
            {
                break;
            }

            await RunAsync(http, string.Empty);
            rounds++;
            await Task.Delay(TimeSpan.FromMilliseconds(500), deadline.Token);
        }

        var after = await GetPlanAsync(http);
        Assert.All(after.Nodes, n => Assert.Equal(6, n.Replicas));
        Assert.All(after.Nodes, n => Assert.InRange(n.Primaries, 2, 2));
        Assert.InRange(rounds, 1, 200);
        var info = await cluster.Client.Admin.GetTableAsync(name, Ct);
        await ReplicationClusterTests.AssertCopiesIdenticalAsync(cluster, info, Ct);
    }

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"rb{i:D7}"));

    private static byte[] Value(int i) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"value-{i}"));

    /// <summary>Polls the meta until the table has exactly its copies, spread evenly over the servers, and the plan is empty.</summary>
    private static async Task<TableReply> WaitUntilBalancedAsync(PegasusTestCluster cluster, HttpClient http, string name, IReadOnlyList<string> servers, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(timeout);
        TableReply? last = null;
        PlanReply? plan = null;
        try
        {
            while (true)
            {
                last = await GetTableAsync(http, name);
                plan = await GetPlanAsync(http);
                if (plan.Balanced && IsEven(last, servers))
                {
                    return last;
                }

                // Polling interval of a bounded wait.
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !Ct.IsCancellationRequested)
        {
            var state = last is null ? "never read" : string.Join("; ", last.Partitions.Select(p =>
                $"{p.PartitionIndex}@{p.Ballot}: {p.Primary} [{string.Join(',', p.Secondaries)}] learners [{string.Join(',', p.Learners ?? [])}]"));
            var counts = plan is null ? "" : string.Join(", ", plan.Nodes.Select(n => $"{n.Address} {n.Primaries}/{n.Replicas}/{n.Learners}"));
            throw new TimeoutException(
                $"Table '{name}' was not balanced within {timeout}: {state}; plan: blocked {plan?.Blocked}, in flight {plan?.InFlight}, {plan?.Moves.Count} moves; {counts}\n{cluster.Diagnostics()}");
        }
    }

    /// <summary>Every partition has a primary, two secondaries and no learner, and each server's copies differ by at most one.</summary>
    private static bool IsEven(TableReply table, IReadOnlyList<string> servers)
    {
        if (!table.Partitions.All(p => p.Primary is not null && p.Secondaries.Count == 2 && (p.Learners ?? []).Count == 0))
        {
            return false;
        }

        var copies = servers.Select(s => table.Partitions.Count(p => p.Primary == s || p.Secondaries.Contains(s))).ToList();
        var primaries = servers.Select(s => table.Partitions.Count(p => p.Primary == s)).ToList();
        return copies.Max() - copies.Min() <= 1 && primaries.Max() - primaries.Min() <= 1;
    }

    private static async Task<PlanReply> GetPlanAsync(HttpClient http, string query = "")
        => (await http.GetFromJsonAsync<PlanReply>("/v1/rebalance" + query, Ct))!;

    private static async Task<RunReply> RunAsync(HttpClient http, string query)
    {
        using var response = await http.PostAsync("/v1/rebalance" + query, content: null, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunReply>(Ct))!;
    }

    private static async Task<TableReply> GetTableAsync(HttpClient http, string name)
        => (await http.GetFromJsonAsync<TableReply>("/v1/tables/" + name, Ct))!;

    /// <summary>Background writers of distinct keys; records each acknowledged key and each write that failed for good.</summary>
    private sealed class Writers(PegasusTable table)
    {
        private readonly ConcurrentBag<int> _acknowledged = [];
        private readonly CancellationTokenSource _stop = new();
        private Task[] _tasks = [];
        private int _next = -1;

        public ConcurrentQueue<string> Failures { get; } = new();

        public IReadOnlyCollection<int> Acknowledged => _acknowledged;

        public int Count => _acknowledged.Count;

        public void Start(int count)
            => _tasks = [.. Enumerable.Range(0, count).Select(_ => Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var i = Interlocked.Increment(ref _next);
                    try
                    {
                        // The client retries moving partitions within the timeout; only what still fails after that counts.
                        await table.SetAsync(Key(i), SortKey, Value(i), timeout: TimeSpan.FromSeconds(30), cancellationToken: Ct);
                        _acknowledged.Add(i);
                    }
                    catch (PegasusException exception)
                    {
                        Failures.Enqueue($"key {i}: {exception.Error} {exception.Message}");
                    }
                }
            }))];

        public async Task WaitForAsync(int acknowledged, TimeSpan timeout)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            deadline.CancelAfter(timeout);
            while (Count < acknowledged && Failures.IsEmpty)
            {
                // Polling interval of a bounded wait.
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_tasks);
            _stop.Dispose();
        }
    }

    private sealed record PlanReply(
        bool Balanced, bool AutoRebalance, string? Blocked, int InFlight, List<MoveReply> Moves, List<NodeReply> Nodes, List<TableCountsReply> Tables);

    private sealed record MoveReply(string Table, int AppId, int PartitionIndex, string Kind, string From, string To, long Ballot);

    private sealed record NodeReply(string Address, bool Alive, int Primaries, int Replicas, int Learners);

    private sealed record TableCountsReply(string Name, int AppId, List<NodeReply> Nodes);

    private sealed record RunReply(int Planned, List<MoveReply> Started, string? Blocked, int InFlight);

    private sealed record TableReply(string Name, int AppId, List<PartitionReply> Partitions);

    private sealed record PartitionReply(int PartitionIndex, long Ballot, string? Primary, List<string> Secondaries, int MaxReplicaCount, List<string>? Learners);

    private sealed record ErrorReply(string Error, string Message, string? Leader);
}
