using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pegasus.Meta;
using Pegasus.Meta.Admin;
using Pegasus.Meta.Leadership;
using Pegasus.Tests.Cluster;

namespace Pegasus.Tests.Meta;

/// <summary>The admin API of a standby meta server, hosted in-process on a real socket (a standby cannot be made from the embedded mode).</summary>
public sealed class MetaAdminApiTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pegasus-meta-admin-" + Guid.NewGuid().ToString("N"));
    private readonly TestLeadership _leadership = new();
    private WebApplication? _app;
    private HttpClient? _http;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var port = MetaServerProcess.GetFreeTcpPort();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Ports:Http"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["Ports:BindAddress"] = "127.0.0.1";
        builder.Configuration["Meta:DataDirectory"] = _directory;
        builder.Configuration["Meta:AdvertisedGrpcAddress"] = "http://127.0.0.1:1001";

        // Registered before AddMetaServer, whose registrations only fill what is missing.
        builder.Services.AddSingleton<IMetaLeadership>(_leadership);
        builder.ConfigurePegasusListeners();
        builder.AddMetaServer();
        _app = builder.Build();
        _app.MapAdminApi();
        _app.MapDefaultEndpoints();
        await _app.StartAsync(Ct);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("GET", "/v1/tables")]
    [InlineData("GET", "/v1/tables/t")]
    [InlineData("DELETE", "/v1/tables/t")]
    [InlineData("POST", "/v1/tables")]
    [InlineData("GET", "/v1/nodes")]
    public async Task Standby_LeaderUnreachable_AnswersEveryAdminCallWith421AndTheLeader(string method, string path)
    {
        // Nothing listens at the leader's address: the call cannot be forwarded, so the standby names the leader.
        _leadership.LoseTo(new MetaLeaderAddresses("http://127.0.0.1:1002", $"http://127.0.0.1:{MetaServerProcess.GetFreeTcpPort()}"));
        var leader = _leadership.Leader!.HttpAddress;

        using var response = await _http!.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? new StringContent("""{"name":"t","partitionCount":4,"replicaCount":1}""") : null,
        }, Ct);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("ForwardToOthers", (string?)body["error"]);
        Assert.Equal(leader, (string?)body["leader"]);
        Assert.False(string.IsNullOrEmpty((string?)body["message"]));
    }

    [Theory]
    [InlineData("GET", "/v1/tables?x=1", null)]
    [InlineData("POST", "/v1/tables", """{"name":"t","partitionCount":4,"replicaCount":1}""")]
    [InlineData("DELETE", "/v1/tables/t", null)]
    public async Task Standby_ForwardsAdminCallsToTheLeaderAndReturnsItsAnswer(string method, string path, string? body)
    {
        await using var leader = await RecordingLeader.StartAsync();
        _leadership.LoseTo(new MetaLeaderAddresses("http://127.0.0.1:1002", leader.Address));

        using var response = await _http!.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(leader.Address, response.Headers.GetValues(AdminForwarder.AnsweredByHeader).Single());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var seen = Assert.Single(leader.Calls);
        Assert.Equal((method, path, body ?? "", true), (seen.Method, seen.PathAndQuery, seen.Body, seen.Forwarded));
        Assert.Equal($"{{\"seen\":\"{method} {path}\"}}", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Standby_CallForwardedAlready_IsNotForwardedAgain()
    {
        await using var leader = await RecordingLeader.StartAsync();
        _leadership.LoseTo(new MetaLeaderAddresses("http://127.0.0.1:1002", leader.Address));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tables");
        request.Headers.Add(AdminForwarder.ForwardedByHeader, "http://127.0.0.1:9");

        using var response = await _http!.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        Assert.Empty(leader.Calls);
    }

    [Fact]
    public async Task Standby_ClusterInfo_IsItsOwnViewNamingTheLeader()
    {
        _leadership.LoseTo(new MetaLeaderAddresses("http://127.0.0.1:1002", "http://127.0.0.1:2002"));

        using var response = await _http!.GetAsync("/v1/cluster", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.False((bool)body["isLeader"]!);
        Assert.Equal("http://127.0.0.1:2002", (string?)body["leaderHttpAddress"]);
    }

    [Fact]
    public async Task OpenApiDocument_IsServedOnEveryMetaAndDescribesTheAdminApi()
    {
        _leadership.LoseTo(null);

        using var response = await _http!.GetAsync("/openapi/v1.json", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.StartsWith("3.", (string?)document["openapi"], StringComparison.Ordinal);
        Assert.Equal("Pegasus meta admin API", (string?)document["info"]!["title"]);
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[] { "/v1/tables", "/v1/tables/{name}", "/v1/nodes", "/v1/cluster", "/v1/rebalance" })
        {
            Assert.True(paths.ContainsKey(path), $"{path} is missing from {string.Join(", ", paths.Select(p => p.Key))}");
        }

        Assert.NotNull(paths["/v1/tables"]!["post"]);
        Assert.NotNull(paths["/v1/tables/{name}"]!["delete"]);
    }

    [Fact]
    public async Task StandbyWithoutKnownLeader_Answers503WithNullLeader()
    {
        _leadership.LoseTo(null);

        using var response = await _http!.GetAsync("/v1/tables", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
        Assert.Equal("ServiceNotActive", (string?)body["error"]);
        Assert.True(body.ContainsKey("leader"));
        Assert.Null(body["leader"]);
    }

    [Fact]
    public async Task Standby_IsHealthy_AndLeaderAfterGainingLeadershipServes()
    {
        _leadership.LoseTo(new MetaLeaderAddresses("http://127.0.0.1:1002", "http://127.0.0.1:2002"));
        using (var health = await _http!.GetAsync("/health", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        _leadership.Gain(new MetaLeaderAddresses("http://127.0.0.1:1001", "http://127.0.0.1:2001"));
        using var response = await _http.GetAsync("/v1/cluster", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.True((bool)body["isLeader"]!);
        Assert.Equal("http://127.0.0.1:2001", (string?)body["leaderHttpAddress"]);
        Assert.Equal("Embedded", (string?)body["stateStore"]);
        using var tables = await _http.GetAsync("/v1/tables", Ct);
        Assert.Equal(HttpStatusCode.OK, tables.StatusCode);
        Assert.Equal("[]", await tables.Content.ReadAsStringAsync(Ct));
    }
}
