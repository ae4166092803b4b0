using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pegasus.Client;
using Pegasus.Client.Routing;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;

namespace Pegasus.Tests.MetaZooKeeper;

/// <summary>
/// The client's routing queries follow a standby's <see cref="ErrorCode.ForwardToOthers"/> to the leader
/// it names, and stay bounded when standbys with stale views name each other.
/// </summary>
public sealed class MetaQueryClientRedirectTests : IAsyncLifetime
{
    private readonly List<WebApplication> _servers = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Standby_ForwardsToTheLeader_WhichIsThenAskedFirst()
    {
        var leader = await StartMetaAsync(_ => Routing());
        var standby = await StartMetaAsync(_ => Forward(leader.Address));
        using var client = NewClient([standby.Address]);

        var routing = await client.QueryOnceAsync("t", Ct);
        var again = await client.QueryOnceAsync("t", Ct);

        Assert.Equal((7, 2), (routing.AppId, routing.PartitionCount));
        Assert.Equal(7, again.AppId);
        Assert.Equal(1, standby.Calls);
        Assert.Equal(2, leader.Calls);
    }

    [Fact]
    public async Task StandbysNamingEachOther_EndTheRoundWithATransientFailure()
    {
        var a = new FakeMeta();
        var b = new FakeMeta();
        await StartMetaAsync(_ => Forward(b.Address), a);
        await StartMetaAsync(_ => Forward(a.Address), b);
        using var client = NewClient([a.Address, b.Address]);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));

        var failure = await Assert.ThrowsAsync<PegasusException>(() => client.QueryOnceAsync("t", deadline.Token));

        Assert.True(failure.IsTransient, failure.Message);
        Assert.InRange(a.Calls + b.Calls, 2, 8);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.StopAsync(CancellationToken.None);
            await server.DisposeAsync();
        }
    }

    private static QueryConfigResponse Routing()
    {
        var response = new QueryConfigResponse { Error = ErrorCode.Ok, AppId = 7, PartitionCount = 2 };
        response.Partitions.Add(new PartitionConfiguration { PartitionIndex = 0, Ballot = 1, Primary = "http://127.0.0.1:1" });
        response.Partitions.Add(new PartitionConfiguration { PartitionIndex = 1, Ballot = 1, Primary = "http://127.0.0.1:2" });
        return response;
    }

    private static QueryConfigResponse Forward(string leader)
        => new() { Error = ErrorCode.ForwardToOthers, ErrorMessage = "standby", LeaderAddress = leader };

    private static MetaQueryClient NewClient(IReadOnlyList<string> metas)
    {
        var options = new PegasusClientOptions { MetaServers = [.. metas], RetryInitialBackoff = TimeSpan.FromMilliseconds(1) };
        return new MetaQueryClient(metas, address => Grpc.Net.Client.GrpcChannel.ForAddress(address), TimeProvider.System, options, NullLogger.Instance);
    }

    private async Task<FakeMeta> StartMetaAsync(Func<QueryConfigRequest, QueryConfigResponse> answer, FakeMeta? meta = null)
    {
        meta ??= new FakeMeta();
        meta.Answer = answer;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(meta);
        var app = builder.Build();
        app.MapGrpcService<FakeMetaService>();
        await app.StartAsync(Ct);
        _servers.Add(app);
        meta.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return meta;
    }

    /// <summary>What one fake meta server answers, and how often it was asked.</summary>
    private sealed class FakeMeta
    {
        private int _calls;

        public string Address { get; set; } = string.Empty;

        public Func<QueryConfigRequest, QueryConfigResponse> Answer { get; set; } = _ => new QueryConfigResponse { Error = ErrorCode.Unknown };

        public int Calls => Volatile.Read(ref _calls);

        public QueryConfigResponse Handle(QueryConfigRequest request)
        {
            Interlocked.Increment(ref _calls);
            return Answer(request);
        }
    }

    private sealed class FakeMetaService(FakeMeta meta) : MetaService.MetaServiceBase
    {
        public override Task<QueryConfigResponse> QueryConfig(QueryConfigRequest request, ServerCallContext context)
            => Task.FromResult(meta.Handle(request));
    }
}
