using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Tests.Cluster;
using static Pegasus.Tests.Replica.ReplicaTestRequests;

namespace Pegasus.Tests.Replica;

/// <summary>A real meta server and a real replica server, driven over raw gRPC.</summary>
public sealed class ReplicaClusterTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SetThenKill9AndRestart_ValueSurvives()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var meta = await MetaServerProcess.StartAsync(cancellationToken: cancellationToken);
        await using var replica = await ReplicaServerProcess.StartAsync(meta.GrpcAddress.ToString(), cancellationToken: cancellationToken);
        await replica.WaitForHealthyAsync(WaitLimit, cancellationToken);
        var diagnostics = () => $"Meta:\n{meta.Output}\nReplica:\n{replica.Output}";

        var appId = await CreateTableAsync(meta, "replica_kill9", partitionCount: 4, cancellationToken, diagnostics);
        var partition = PartitionResolver.PartitionIndex(B("user1").Span, B("name").Span, 4);

        await using (var stream = new RawDataStream(replica.GrpcAddress))
        {
            var miss = await WaitServedAsync(stream, Get("user1", "name", appId, partition), diagnostics);
            Assert.Equal(ErrorCode.NotFound, miss.Error);

            var set = await stream.SendAsync(Set("user1", "name", "pegasus", appId: appId, partitionIndex: partition), cancellationToken);
            Assert.True(set.Error == ErrorCode.Ok, $"{set}\n{diagnostics()}");
            Assert.True(set.Decree > 0);
            Assert.Equal(replica.GrpcAddress, set.Server);

            var get = await stream.SendAsync(Get("user1", "name", appId, partition), cancellationToken);
            Assert.Equal(ErrorCode.Ok, get.Error);
            Assert.Equal("pegasus", get.Get.Value.ToStringUtf8());

            // A key of another partition is refused by the partition it was sent to.
            var otherPartition = (partition + 1) % 4;
            var wrong = await WaitServedAsync(stream, Set("user1", "name", "x", appId: appId, partitionIndex: otherPartition), diagnostics);
            Assert.Equal(ErrorCode.PartitionMismatch, wrong.Error);

            var unknown = await stream.SendAsync(Get("user1", "name", appId + 1000, 0), cancellationToken);
            Assert.Equal(ErrorCode.ObjectNotFound, unknown.Error);
        }

        replica.Kill();
        await replica.RestartAsync(cancellationToken);

        await using (var stream = new RawDataStream(replica.GrpcAddress))
        {
            var get = await WaitServedAsync(stream, Get("user1", "name", appId, partition), diagnostics);
            Assert.True(get.Error == ErrorCode.Ok, $"{get}\n{diagnostics()}");
            Assert.Equal("pegasus", get.Get.Value.ToStringUtf8());

            // Decrees continue after the restart instead of starting over.
            var set = await stream.SendAsync(Set("user1", "name", "again", appId: appId, partitionIndex: partition), cancellationToken);
            Assert.Equal(ErrorCode.Ok, set.Error);
            Assert.True(set.Decree > 1, $"{set}");

            // One batch of many writes to one partition: each gets its own decree, in order.
            var writes = Enumerable.Range(0, 100)
                .Select(i => Set("user1", $"sk{i:D3}", $"v{i}", appId: appId, partitionIndex: partition))
                .ToList();
            var responses = await stream.SendBatchAsync(writes, cancellationToken);
            Assert.All(responses, response => Assert.Equal(ErrorCode.Ok, response.Error));
            Assert.Equal(
                Enumerable.Range(0, 100).Select(i => set.Decree + 1 + i),
                responses.Select(response => response.Decree));
        }

        // Dropping the table deletes its replicas' data on the node.
        using (var http = new HttpClient { BaseAddress = meta.HttpAddress })
        {
            using var dropped = await http.DeleteAsync(new Uri("/v1/tables/replica_kill9", UriKind.Relative), cancellationToken);
            Assert.True(dropped.IsSuccessStatusCode, $"{dropped.StatusCode}\n{diagnostics()}");
        }

        await using (var stream = new RawDataStream(replica.GrpcAddress))
        {
            var gone = await WaitForAsync(
                stream, Get("user1", "name", appId, partition), response => response.Error == ErrorCode.ObjectNotFound, diagnostics);
            Assert.Contains("not served by this node", gone.ErrorMessage, StringComparison.Ordinal);
        }

        await WaitUntilAsync(
            () => !Directory.EnumerateDirectories(replica.DataDirectory, $"{appId}.*").Any(), diagnostics);
    }

    [Fact]
    public async Task MetaDown_ReplicaStopsServingWithinItsLease_AndServesAgainWhenMetaReturns()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var meta = await MetaServerProcess.StartAsync(cancellationToken: cancellationToken);
        var settings = new Dictionary<string, string>
        {
            ["Replica:BeaconInterval"] = "00:00:00.200",
            ["Replica:LeaseTimeout"] = "00:00:02",
        };
        await using var replica = await ReplicaServerProcess.StartAsync(meta.GrpcAddress.ToString(), settings: settings, cancellationToken: cancellationToken);
        await replica.WaitForHealthyAsync(WaitLimit, cancellationToken);
        var diagnostics = () => $"Meta:\n{meta.Output}\nReplica:\n{replica.Output}";
        var appId = await CreateTableAsync(meta, "replica_lease", partitionCount: 1, cancellationToken, diagnostics);

        await using var stream = new RawDataStream(replica.GrpcAddress);
        await WaitServedAsync(stream, Get("hk", "sk", appId, 0), diagnostics);
        var set = await stream.SendAsync(Set("hk", "sk", "v", appId: appId), cancellationToken);
        Assert.Equal(ErrorCode.Ok, set.Error);

        // Without beacons the lease lapses and the node stops serving (DESIGN invariant 4).
        meta.Kill();
        var refused = await WaitForAsync(
            stream, Get("hk", "sk", appId, 0), response => response.Error == ErrorCode.InvalidState, diagnostics);
        Assert.Contains("lease", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await replica.GetHealthStatusAsync(cancellationToken));

        await meta.RestartAsync(cancellationToken);
        var served = await WaitForAsync(stream, Get("hk", "sk", appId, 0), response => response.Error == ErrorCode.Ok, diagnostics);
        Assert.Equal("v", served.Get.Value.ToStringUtf8());

        // A graceful stop closes the stores; the data is there after the restart.
        Assert.True(await replica.StopAsync(TimeSpan.FromSeconds(30)), diagnostics());
        await replica.RestartAsync(cancellationToken);
        await using var again = new RawDataStream(replica.GrpcAddress);
        var afterStop = await WaitServedAsync(again, Get("hk", "sk", appId, 0), diagnostics);
        Assert.Equal("v", afterStop.Get.Value.ToStringUtf8());
    }

    private static async Task<int> CreateTableAsync(
        MetaServerProcess meta, string name, int partitionCount, CancellationToken cancellationToken, Func<string> diagnostics)
    {
        using var http = new HttpClient { BaseAddress = meta.HttpAddress };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(WaitLimit);
        while (true)
        {
            using var response = await http.PostAsJsonAsync(
                "/v1/tables", new { name, partitionCount, replicaCount = 1 }, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                using var table = JsonDocument.Parse(body);
                return table.RootElement.GetProperty("appId").GetInt32();
            }

            // The meta may not count the replica server as alive yet; anything else is a failure.
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}\n{diagnostics()}");

            // Polling interval of a bounded wait.
            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> diagnostics)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(WaitLimit);
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Condition not met within {WaitLimit}.\n{diagnostics()}");
            }

            // Polling interval of a bounded wait.
            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
    }

    /// <summary>Sends the request until the replica serves its partition (not ObjectNotFound / InvalidState).</summary>
    private static Task<DataResponse> WaitServedAsync(RawDataStream stream, DataRequest request, Func<string> diagnostics) =>
        WaitForAsync(stream, request, response => response.Error is not (ErrorCode.ObjectNotFound or ErrorCode.InvalidState), diagnostics);

    /// <summary>Sends the request until its response satisfies <paramref name="done"/>.</summary>
    private static async Task<DataResponse> WaitForAsync(
        RawDataStream stream, DataRequest request, Func<DataResponse, bool> done, Func<string> diagnostics)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(WaitLimit);
        DataResponse response;
        try
        {
            while (true)
            {
                response = await stream.SendAsync(request, deadline.Token);
                if (done(response))
                {
                    return response;
                }

                // Polling interval of a bounded wait.
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"Partition {request.AppId}.{request.PartitionIndex} did not answer as expected within {WaitLimit}.\n{diagnostics()}");
            throw;
        }
    }
}
