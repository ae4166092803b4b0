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
    [InlineData("GET", "/v1/cluster")]
    public async Task Standby_AnswersEveryAdminCallWith421AndTheLeader(string method, string path)
    {
        _leadership.LoseTo(new MetaLeaderAddresses("http://127.0.0.1:1002", "http://127.0.0.1:2002"));

        using var response = await _http!.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? new StringContent("""{"name":"t","partitionCount":4,"replicaCount":1}""") : null,
        }, Ct);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("ForwardToOthers", (string?)body["error"]);
        Assert.Equal("http://127.0.0.1:2002", (string?)body["leader"]);
        Assert.False(string.IsNullOrEmpty((string?)body["message"]));
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
