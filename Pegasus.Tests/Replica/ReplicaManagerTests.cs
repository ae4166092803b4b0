using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Hosting;
using Pegasus.Replica.Replication;
using Pegasus.Replica.Storage;
using static Pegasus.Tests.Replica.ReplicaTestRequests;

namespace Pegasus.Tests.Replica;

public sealed class ReplicaManagerTests : IAsyncLifetime
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "pegasus-manager-tests", Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ReplicaManager _manager;

    public ReplicaManagerTests()
    {
        _manager = new ReplicaManager(
            Options.Create(new ReplicaOptions { DataDirectory = _dataDirectory }),
            Options.Create(new StorageOptions()),
            TimeProvider.System,
            new ReplicaInstruments(_services.GetRequiredService<IMeterFactory>()),
            NullLoggerFactory.Instance);
    }

    public async ValueTask InitializeAsync() => await _manager.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _manager.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Assignment_OpensReplicaInItsDirectory_AndServesWrites()
    {
        _manager.ApplyAssignments([Primary(appId: 1, partitionIndex: 0, ballot: 3)], []);

        var replica = await WaitServingAsync(1, 0);
        var response = await replica.Pipeline!.SubmitAsync(Set("hk", "sk", "v", appId: 1), TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.True(replica.CanServeClients(out _));
        Assert.Equal(3, replica.Ballot);
        Assert.True(Directory.Exists(Path.Combine(_dataDirectory, "1.0")));
        var state = Assert.Single(_manager.GetReplicaStates());
        Assert.Equal((1, 0, 3L, ReplicaRole.Primary, 1L), (state.AppId, state.PartitionIndex, state.Ballot, state.Role, state.LastCommittedDecree));
    }

    [Fact]
    public async Task Unassigned_ReplicaCloses_AndReopensWithItsDataWhenAssignedAgain()
    {
        _manager.ApplyAssignments([Primary(1, 0, 1)], []);
        var first = await WaitServingAsync(1, 0);
        await first.Pipeline!.SubmitAsync(Set("hk", "sk", "v", appId: 1), TestContext.Current.CancellationToken);

        _manager.ApplyAssignments([], []);
        Assert.False(_manager.TryGetReplica(1, 0, out _));
        await first.CloseAsync().WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        Assert.Equal(ReplicaStatus.Closed, first.Status);
        Assert.True(Directory.Exists(Path.Combine(_dataDirectory, "1.0")));

        _manager.ApplyAssignments([Primary(1, 0, 2)], []);
        var second = await WaitServingAsync(1, 0);

        Assert.NotSame(first, second);
        Assert.Equal(1, second.LastCommittedDecree);
        var next = await second.Pipeline!.SubmitAsync(Set("hk", "sk2", "v", appId: 1), TestContext.Current.CancellationToken);
        Assert.Equal(2, next.Decree);
    }

    [Fact]
    public async Task HigherBallot_ChangesRole_AndOlderBallotIsIgnored()
    {
        _manager.ApplyAssignments([Primary(1, 0, 4)], []);
        var replica = await WaitServingAsync(1, 0);

        var secondary = Primary(1, 0, 5);
        secondary.Role = ReplicaRole.Secondary;
        _manager.ApplyAssignments([secondary], []);
        Assert.Equal((5L, ReplicaRole.Secondary), (replica.Ballot, replica.Role));
        Assert.False(replica.CanServeClients(out var reason));
        Assert.Contains("not primary", reason, StringComparison.Ordinal);

        _manager.ApplyAssignments([Primary(1, 0, 4)], []);
        Assert.Equal((5L, ReplicaRole.Secondary), (replica.Ballot, replica.Role));
    }

    [Fact]
    public async Task DroppedApp_ReplicasCloseAndTheirDataIsDeleted()
    {
        _manager.ApplyAssignments([Primary(1, 0, 1), Primary(1, 1, 1, partitionCount: 2), Primary(2, 0, 1)], []);
        var dropped = await WaitServingAsync(1, 0);
        await WaitServingAsync(1, 1);
        await WaitServingAsync(2, 0);
        await dropped.Pipeline!.SubmitAsync(Set("hk", "sk", "v", appId: 1), TestContext.Current.CancellationToken);

        _manager.ApplyAssignments([Primary(2, 0, 1)], [1]);

        await WaitUntilAsync(() => !Directory.Exists(Path.Combine(_dataDirectory, "1.0")) && !Directory.Exists(Path.Combine(_dataDirectory, "1.1")));
        Assert.False(_manager.TryGetReplica(1, 0, out _));
        Assert.True(_manager.TryGetReplica(2, 0, out var kept));
        Assert.Equal(ReplicaStatus.Serving, kept.Status);
        Assert.True(Directory.Exists(Path.Combine(_dataDirectory, "2.0")));
    }

    private static ReplicaAssignment Primary(int appId, int partitionIndex, long ballot, int partitionCount = 1) => new()
    {
        AppId = appId,
        AppName = $"table{appId}",
        PartitionIndex = partitionIndex,
        PartitionCount = partitionCount,
        Ballot = ballot,
        Role = ReplicaRole.Primary,
    };

    private async Task<PartitionReplica> WaitServingAsync(int appId, int partitionIndex)
    {
        PartitionReplica? replica = null;
        await WaitUntilAsync(() => _manager.TryGetReplica(appId, partitionIndex, out replica) && replica.Status == ReplicaStatus.Serving);
        return replica!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(WaitLimit);
        while (!condition())
        {
            // Polling interval of a bounded wait.
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }
}
