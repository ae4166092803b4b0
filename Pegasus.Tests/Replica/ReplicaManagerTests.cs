using Pegasus.Protocol;
using Pegasus.Protocol.Meta;
using Pegasus.Replica.Replication;
using static Pegasus.Tests.Replica.ReplicaTestRequests;
using static Pegasus.Tests.Replica.ReplicaTestWaits;

namespace Pegasus.Tests.Replica;

public sealed class ReplicaManagerTests : IAsyncLifetime
{
    private readonly ReplicaManagerTestContext _context = new("pegasus-manager-tests");

    public async ValueTask InitializeAsync() => await _context.Manager.StartAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task Assignment_OpensReplicaInItsDirectory_AndServesWrites()
    {
        _context.Manager.ApplyAssignments([Primary(appId: 1, partitionIndex: 0, ballot: 3)], []);

        var replica = await _context.WaitServingAsync(1, 0);
        var response = await replica.Pipeline!.SubmitAsync(Set("hk", "sk", "v", appId: 1), TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.True(replica.CanServeClients(out _));
        Assert.Equal(3, replica.Ballot);
        Assert.True(Directory.Exists(Path.Combine(_context.DataDirectory, "1.0")));
        var state = Assert.Single(_context.Manager.GetReplicaStates());
        Assert.Equal((1, 0, 3L, ReplicaRole.Primary, 1L), (state.AppId, state.PartitionIndex, state.Ballot, state.Role, state.LastCommittedDecree));
    }

    [Fact]
    public async Task Unassigned_ReplicaCloses_AndReopensWithItsDataWhenAssignedAgain()
    {
        _context.Manager.ApplyAssignments([Primary(1, 0, 1)], []);
        var first = await _context.WaitServingAsync(1, 0);
        await first.Pipeline!.SubmitAsync(Set("hk", "sk", "v", appId: 1), TestContext.Current.CancellationToken);

        _context.Manager.ApplyAssignments([], []);
        Assert.False(_context.Manager.TryGetReplica(1, 0, out _));
        await first.CloseAsync().WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        Assert.Equal(ReplicaStatus.Closed, first.Status);
        Assert.True(Directory.Exists(Path.Combine(_context.DataDirectory, "1.0")));

        _context.Manager.ApplyAssignments([Primary(1, 0, 2)], []);
        var second = await _context.WaitServingAsync(1, 0);

        Assert.NotSame(first, second);
        Assert.Equal(1, second.LastCommittedDecree);
        var next = await second.Pipeline!.SubmitAsync(Set("hk", "sk2", "v", appId: 1), TestContext.Current.CancellationToken);
        Assert.Equal(2, next.Decree);
    }

    [Fact]
    public async Task HigherBallot_ChangesRole_AndOlderBallotIsIgnored()
    {
        _context.Manager.ApplyAssignments([Primary(1, 0, 4)], []);
        var replica = await _context.WaitServingAsync(1, 0);

        var secondary = Primary(1, 0, 5);
        secondary.Role = ReplicaRole.Secondary;
        _context.Manager.ApplyAssignments([secondary], []);
        Assert.Equal((5L, ReplicaRole.Secondary), (replica.Ballot, replica.Role));
        Assert.False(replica.CanServeClients(out var reason));
        Assert.Contains("not primary", reason, StringComparison.Ordinal);

        _context.Manager.ApplyAssignments([Primary(1, 0, 4)], []);
        Assert.Equal((5L, ReplicaRole.Secondary), (replica.Ballot, replica.Role));
    }

    [Fact]
    public async Task DroppedApp_ReplicasCloseAndTheirDataIsDeleted()
    {
        _context.Manager.ApplyAssignments([Primary(1, 0, 1), Primary(1, 1, 1, partitionCount: 2), Primary(2, 0, 1)], []);
        var dropped = await _context.WaitServingAsync(1, 0);
        await _context.WaitServingAsync(1, 1);
        await _context.WaitServingAsync(2, 0);
        await dropped.Pipeline!.SubmitAsync(Set("hk", "sk", "v", appId: 1), TestContext.Current.CancellationToken);

        _context.Manager.ApplyAssignments([Primary(2, 0, 1)], [1]);

        await WaitUntilAsync(() => !Directory.Exists(Path.Combine(_context.DataDirectory, "1.0")) && !Directory.Exists(Path.Combine(_context.DataDirectory, "1.1")));
        Assert.False(_context.Manager.TryGetReplica(1, 0, out _));
        Assert.True(_context.Manager.TryGetReplica(2, 0, out var kept));
        Assert.Equal(ReplicaStatus.Serving, kept.Status);
        Assert.True(Directory.Exists(Path.Combine(_context.DataDirectory, "2.0")));
    }

    internal static ReplicaAssignment Primary(int appId, int partitionIndex, long ballot, int partitionCount = 1) => new()
    {
        AppId = appId,
        AppName = $"table{appId}",
        PartitionIndex = partitionIndex,
        PartitionCount = partitionCount,
        Ballot = ballot,
        Role = ReplicaRole.Primary,
    };
}
