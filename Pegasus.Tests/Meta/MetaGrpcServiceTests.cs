using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Pegasus.Meta.Grpc;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Tables;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;

namespace Pegasus.Tests.Meta;

public sealed class MetaGrpcServiceTests : IDisposable
{
    private const string Node = "http://127.0.0.1:7001";

    private readonly MetaTestServices _meta = new();
    private readonly MetaGrpcService _service;
    private readonly TestCallContext _context = new();

    public MetaGrpcServiceTests()
        => _service = new MetaGrpcService(_meta.Tables, _meta.Nodes, _meta.Leadership, new TestLifetime());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _meta.Dispose();

    [Fact]
    public async Task QueryConfig_EmptyOrUnknownName_Errors()
    {
        var empty = await _service.QueryConfig(new QueryConfigRequest(), _context);
        var unknown = await _service.QueryConfig(new QueryConfigRequest { TableName = "nope" }, _context);

        Assert.Equal(ErrorCode.InvalidParameters, empty.Error);
        Assert.Equal(ErrorCode.AppNotExist, unknown.Error);
        Assert.NotEmpty(unknown.ErrorMessage);
        Assert.Empty(unknown.Partitions);
    }

    [Fact]
    public async Task QueryConfig_KnownTable_ReturnsItsRoutingTable()
    {
        await _service.Beacon(new BeaconRequest { NodeAddress = Node }, _context);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 4, 3), Ct);

        var response = await _service.QueryConfig(new QueryConfigRequest { TableName = "t" }, _context);

        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.Equal(1, response.AppId);
        Assert.Equal(4, response.PartitionCount);
        Assert.Equal([0, 1, 2, 3], response.Partitions.Select(p => p.PartitionIndex));
        Assert.All(response.Partitions, p =>
        {
            Assert.Equal(Node, p.Primary);
            Assert.Equal(1, p.Ballot);
            Assert.Empty(p.Secondaries);
            Assert.Equal(3, p.MaxReplicaCount);
        });
    }

    [Fact]
    public async Task Beacon_ReturnsAssignmentsDroppedIdsAndLease()
    {
        var first = await _service.Beacon(new BeaconRequest { NodeAddress = Node + "/" }, _context);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("kept", 2, 1), Ct);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("gone", 1, 1), Ct);
        await _meta.Tables.DropTableAsync("gone", Ct);

        var response = await _service.Beacon(new BeaconRequest { NodeAddress = Node }, _context);

        Assert.Equal(ErrorCode.Ok, first.Error);
        Assert.Empty(first.Assignments);
        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.Equal(8000, response.LeaseMilliseconds);
        Assert.Equal([2], response.DroppedAppIds);
        Assert.Equal(2, response.Assignments.Count);
        Assert.All(response.Assignments, a =>
        {
            Assert.Equal(1, a.AppId);
            Assert.Equal("kept", a.AppName);
            Assert.Equal(2, a.PartitionCount);
            Assert.Equal(1, a.Ballot);
            Assert.Equal(ReplicaRole.Primary, a.Role);
        });
        Assert.True(_meta.Nodes.IsAlive(Node));
    }

    [Fact]
    public async Task Beacon_WithoutAddress_IsInvalid()
    {
        var response = await _service.Beacon(new BeaconRequest(), _context);

        Assert.Equal(ErrorCode.InvalidParameters, response.Error);
    }

    [Fact]
    public async Task Standby_ForwardsToTheLeadersGrpcAddress_AndIgnoresBeacons()
    {
        _meta.Leadership.LoseTo(new MetaLeaderAddresses("http://127.0.0.1:1002", "http://127.0.0.1:2002"));

        var query = await _service.QueryConfig(new QueryConfigRequest { TableName = "t" }, _context);
        var beacon = await _service.Beacon(new BeaconRequest { NodeAddress = Node }, _context);

        Assert.Equal(ErrorCode.ForwardToOthers, query.Error);
        Assert.Equal("http://127.0.0.1:1002", query.LeaderAddress);
        Assert.Equal(ErrorCode.ForwardToOthers, beacon.Error);
        Assert.Equal("http://127.0.0.1:1002", beacon.LeaderAddress);
        Assert.False(_meta.Nodes.IsAlive(Node));
    }

    private sealed class TestLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    private sealed class TestCallContext : ServerCallContext
    {
        protected override string MethodCore => "test";

        protected override string HostCore => "localhost";

        protected override string PeerCore => "ipv4:127.0.0.1:1";

        protected override DateTime DeadlineCore => DateTime.MaxValue;

        protected override Metadata RequestHeadersCore { get; } = [];

        protected override CancellationToken CancellationTokenCore => TestContext.Current.CancellationToken;

        protected override Metadata ResponseTrailersCore { get; } = [];

        protected override Status StatusCore { get; set; }

        protected override WriteOptions? WriteOptionsCore { get; set; }

        protected override AuthContext AuthContextCore { get; } = new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options)
            => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
