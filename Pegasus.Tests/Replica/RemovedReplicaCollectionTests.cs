using Microsoft.Extensions.Time.Testing;
using Pegasus.Protocol;
using static Pegasus.Tests.Replica.ReplicaManagerTests;
using static Pegasus.Tests.Replica.ReplicaTestRequests;
using static Pegasus.Tests.Replica.ReplicaTestWaits;

namespace Pegasus.Tests.Replica;

/// <summary>
/// A replica the meta stops assigning (removed from its partition while its server was away, or moved by rebalancing)
/// keeps its data for a while, so it can come back learning only what it missed, and is then deleted rather than left
/// on disk for good.
/// </summary>
public sealed class RemovedReplicaCollectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ReplicaManagerTestContext _context;

    public RemovedReplicaCollectionTests()
    {
        _context = new("pegasus-removed-replica-tests", timeProvider: _time, configure: options => options.RemovedReplicaRetention = Retention);
    }

    public async ValueTask InitializeAsync() => await _context.Manager.StartAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task Unassigned_DataStaysForTheRetentionThenIsDeleted()
    {
        var kept = Path.Combine(_context.DataDirectory, "1.0");
        var removed = Path.Combine(_context.DataDirectory, "1.1");
        _context.Manager.ApplyAssignments([Primary(1, 0, 1, partitionCount: 2), Primary(1, 1, 1, partitionCount: 2)], []);
        var replica = await _context.WaitServingAsync(1, 1);
        await _context.WaitServingAsync(1, 0);
        Assert.Equal(ErrorCode.Ok, (await replica.Pipeline!.SubmitAsync(Set("hk", "sk", "v", appId: 1, partitionIndex: 1), TestContext.Current.CancellationToken)).Error);

        _context.Manager.ApplyAssignments([Primary(1, 0, 1, partitionCount: 2)], []);
        await replica.CloseAsync().WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        await BeaconsAsync(Retention - TimeSpan.FromSeconds(10));
        Assert.True(Directory.Exists(removed));

        await BeaconsAsync(TimeSpan.FromSeconds(20));

        await WaitUntilAsync(() => !Directory.Exists(removed) && !Directory.EnumerateFileSystemEntries(Path.Combine(_context.DataDirectory, ".gar")).Any());
        Assert.True(Directory.Exists(kept));
        Assert.True(_context.Manager.TryGetReplica(1, 0, out _));
    }

    [Fact]
    public async Task AssignedAgainWithinTheRetention_OpensItsDataAndIsNotDeletedLater()
    {
        _context.Manager.ApplyAssignments([Primary(1, 0, 1, partitionCount: 2)], []);
        var first = await _context.WaitServingAsync(1, 0);
        await first.Pipeline!.SubmitAsync(Set("hk", "sk", "v", appId: 1), TestContext.Current.CancellationToken);
        _context.Manager.ApplyAssignments([], []);
        await first.CloseAsync().WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        await BeaconsAsync(Retention / 2);

        _context.Manager.ApplyAssignments([Primary(1, 0, 2, partitionCount: 2)], []);
        var second = await _context.WaitServingAsync(1, 0);
        await BeaconsAsync(Retention);

        Assert.Equal(1, second.LastCommittedDecree);
        Assert.True(Directory.Exists(Path.Combine(_context.DataDirectory, "1.0")));
    }

    [Fact]
    public async Task OnDiskButNeverAssignedSinceStart_IsDeletedAfterTheRetention()
    {
        // A directory left by an earlier life of the server that the meta does not hand back.
        var orphan = Path.Combine(_context.DataDirectory, "5.3");
        Directory.CreateDirectory(orphan);
        await File.WriteAllTextAsync(Path.Combine(orphan, "CURRENT"), "x", TestContext.Current.CancellationToken);

        await BeaconsAsync(Retention + TimeSpan.FromSeconds(10));

        await WaitUntilAsync(() => !Directory.Exists(orphan));
    }

    /// <summary>Beacon answers with unchanged assignments while <paramref name="span"/> passes, one every 5 s.</summary>
    private async Task BeaconsAsync(TimeSpan span)
    {
        var assignments = _context.Manager.GetReplicaStates().Select(state => Primary(state.AppId, state.PartitionIndex, state.Ballot, partitionCount: 2)).ToList();
        for (var elapsed = TimeSpan.Zero; elapsed <= span; elapsed += TimeSpan.FromSeconds(5))
        {
            _context.Manager.ApplyAssignments(assignments, []);
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        _context.Manager.ApplyAssignments(assignments, []);
        await Task.Yield();
    }
}
