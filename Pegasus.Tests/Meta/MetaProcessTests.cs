using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Net.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;
using Pegasus.Tests.Cluster;

namespace Pegasus.Tests.Meta;

/// <summary>The real meta server process in embedded mode, driven over HTTP and gRPC on loopback.</summary>
public sealed class MetaProcessTests
{
    private const string Node = "http://127.0.0.1:7001";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdminApi_CreatesListsDropsTables_AndStateSurvivesRestartAndKill()
    {
        var options = new MetaServerProcessOptions();

        // Long enough that the one beacon this test sends keeps the node alive throughout.
        options.Settings["Meta:ReplicaGracePeriod"] = "00:10:00";
        await using var meta = await MetaServerProcess.StartAsync(options, Ct);
        using var http = new HttpClient { BaseAddress = meta.HttpAddress };
        using var channel = GrpcChannel.ForAddress(meta.GrpcAddress);
        var grpc = new MetaService.MetaServiceClient(channel);
        try
        {
            await AssertErrorAsync(await PostTableAsync(http, """{"name":"t1","partitionCount":4,"replicaCount":3}"""), HttpStatusCode.ServiceUnavailable, "NotEnoughMembers");

            var beacon = await grpc.BeaconAsync(new BeaconRequest { NodeAddress = Node }, cancellationToken: Ct);
            Assert.Equal(ErrorCode.Ok, beacon.Error);
            Assert.True(beacon.LeaseMilliseconds > 0);

            var created = await ReadJsonAsync(await PostTableAsync(http, """{"name":"t1","partitionCount":4,"replicaCount":3}"""), HttpStatusCode.Created);
            Assert.Equal("t1", (string?)created["name"]);
            Assert.Equal(1, (int)created["appId"]!);
            Assert.Equal(3, (int)created["replicaCount"]!);
            Assert.Equal("Available", (string?)created["status"]);
            Assert.Empty(created["envs"]!.AsObject());
            Assert.Equal(4, created["partitions"]!.AsArray().Count);
            await ReadJsonAsync(await PostTableAsync(http, """{"name":"t2","partitionCount":1,"replicaCount":1}"""), HttpStatusCode.Created);

            await AssertErrorAsync(await PostTableAsync(http, """{"name":"","partitionCount":4,"replicaCount":1}"""), HttpStatusCode.BadRequest, "InvalidParameters");
            await AssertErrorAsync(await PostTableAsync(http, """{"name":"x","partitionCount":3,"replicaCount":1}"""), HttpStatusCode.BadRequest, "InvalidParameters");
            await AssertErrorAsync(await PostTableAsync(http, """{"name":"x","partitionCount":4,"replicaCount":9}"""), HttpStatusCode.BadRequest, "InvalidParameters");
            await AssertErrorAsync(await PostTableAsync(http, """{"name":"bad name!","partitionCount":4}"""), HttpStatusCode.BadRequest, "InvalidParameters");
            await AssertErrorAsync(await PostTableAsync(http, """{"name":"""), HttpStatusCode.BadRequest, "InvalidParameters");
            await AssertErrorAsync(await PostTableAsync(http, """{"name":"t1","partitionCount":8,"replicaCount":1}"""), HttpStatusCode.Conflict, "AppExist");
            await AssertErrorAsync(await http.GetAsync("/v1/tables/nope", Ct), HttpStatusCode.NotFound, "AppNotExist");
            await AssertErrorAsync(await http.DeleteAsync("/v1/tables/nope", Ct), HttpStatusCode.NotFound, "AppNotExist");

            var list = (await ReadJsonAsync(await http.GetAsync("/v1/tables", Ct), HttpStatusCode.OK)).AsArray();
            Assert.Equal(["t1", "t2"], list.Select(t => (string?)t!["name"]));
            var t1 = await ReadJsonAsync(await http.GetAsync("/v1/tables/t1", Ct), HttpStatusCode.OK);
            Assert.All(t1["partitions"]!.AsArray(), p =>
            {
                Assert.Equal(Node, (string?)p!["primary"]);
                Assert.Equal(1, (long)p["ballot"]!);
                Assert.Empty(p["secondaries"]!.AsArray());
            });
            var nodes = (await ReadJsonAsync(await http.GetAsync("/v1/nodes", Ct), HttpStatusCode.OK)).AsArray();
            var node = Assert.Single(nodes)!;
            Assert.Equal((Node, true, 5), ((string?)node["address"], (bool)node["alive"]!, (int)node["replicaCount"]!));
            Assert.NotNull((string?)node["lastBeaconAt"]);
            var cluster = await ReadJsonAsync(await http.GetAsync("/v1/cluster", Ct), HttpStatusCode.OK);
            Assert.True((bool)cluster["isLeader"]!);
            Assert.Equal(meta.GrpcAddress.ToString().TrimEnd('/'), (string?)cluster["leaderGrpcAddress"]);
            Assert.Equal(meta.HttpAddress.ToString().TrimEnd('/'), (string?)cluster["leaderHttpAddress"]);
            Assert.Equal("Embedded", (string?)cluster["stateStore"]);

            var routing = await grpc.QueryConfigAsync(new QueryConfigRequest { TableName = "t1" }, cancellationToken: Ct);
            Assert.Equal(ErrorCode.Ok, routing.Error);
            Assert.Equal(4, routing.Partitions.Count);
            Assert.Equal(ErrorCode.AppNotExist, (await grpc.QueryConfigAsync(new QueryConfigRequest { TableName = "nope" }, cancellationToken: Ct)).Error);

            var dropped = await ReadJsonAsync(await http.DeleteAsync("/v1/tables/t2", Ct), HttpStatusCode.OK);
            Assert.Equal("Dropped", (string?)dropped["status"]);
            await AssertErrorAsync(await http.GetAsync("/v1/tables/t2", Ct), HttpStatusCode.NotFound, "AppNotExist");

            // A graceful restart reloads everything.
            await meta.StopAsync();
            await meta.RestartAsync(Ct);
            list = (await ReadJsonAsync(await http.GetAsync("/v1/tables", Ct), HttpStatusCode.OK)).AsArray();
            Assert.Equal(["t1"], list.Select(t => (string?)t!["name"]));
            t1 = await ReadJsonAsync(await http.GetAsync("/v1/tables/t1", Ct), HttpStatusCode.OK);
            Assert.All(t1["partitions"]!.AsArray(), p => Assert.Equal(Node, (string?)p!["primary"]));
            beacon = await grpc.BeaconAsync(new BeaconRequest { NodeAddress = Node }, cancellationToken: Ct);
            Assert.Equal([2], beacon.DroppedAppIds);
            Assert.Equal(4, beacon.Assignments.Count);

            // An acknowledged create survives a crash (SIGKILL) right after it.
            await ReadJsonAsync(await PostTableAsync(http, """{"name":"t3","partitionCount":2,"replicaCount":1}"""), HttpStatusCode.Created);
            meta.Kill();
            await meta.RestartAsync(Ct);

            // The restarted meta has heard no beacon yet: the node is listed from the configuration, as dead.
            node = Assert.Single((await ReadJsonAsync(await http.GetAsync("/v1/nodes", Ct), HttpStatusCode.OK)).AsArray())!;
            Assert.Equal((Node, false, 6), ((string?)node["address"], (bool)node["alive"]!, (int)node["replicaCount"]!));
            Assert.True(node.AsObject().ContainsKey("lastBeaconAt"));
            Assert.Null(node["lastBeaconAt"]);
            var t3 = await ReadJsonAsync(await http.GetAsync("/v1/tables/t3", Ct), HttpStatusCode.OK);
            Assert.Equal(3, (int)t3["appId"]!);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{exception.Message}\n--- meta server output ---\n{meta.Output}", exception);
        }
    }

    [Fact]
    public async Task ZooKeeperStateStore_WithoutConnectionString_FailsStartupWithAClearMessage()
    {
        var options = new MetaServerProcessOptions { WaitForHealthy = false };
        options.Settings["Meta:StateStore"] = "ZooKeeper";
        await using var meta = await MetaServerProcess.StartAsync(options, Ct);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (!meta.HasExited)
        {
            // Polling for the exit, bounded by the deadline.
            await Task.Delay(50, deadline.Token);
        }

        Assert.NotEqual(0, meta.ExitCode);
        Assert.Contains("ZooKeeper:ConnectionString is required", meta.Output, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostTableAsync(HttpClient http, string json)
        => http.PostAsync("/v1/tables", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    private static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == expected, $"Expected {expected}, got {response.StatusCode}: {text}");
            return JsonNode.Parse(text)!;
        }
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode expected, string error)
    {
        var body = await ReadJsonAsync(response, expected);
        Assert.Equal(error, (string?)body["error"]);
        Assert.False(string.IsNullOrEmpty((string?)body["message"]));
        Assert.True(body.AsObject().ContainsKey("leader"));
    }
}
