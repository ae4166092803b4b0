using Pegasus.Meta.Leadership;
using Pegasus.Meta.State;
using Pegasus.Meta.Tables;
using Pegasus.Protocol;

namespace Pegasus.Tests.Meta;

public sealed class TableManagerTests : IDisposable
{
    private const string NodeA = "http://127.0.0.1:7001";
    private const string NodeB = "http://127.0.0.1:7002";
    private const string NodeC = "http://127.0.0.1:7003";

    private readonly MetaTestServices _meta = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _meta.Dispose();

    [Theory]
    [InlineData("", 4, 3)]
    [InlineData(null, 4, 3)]
    [InlineData("bad name", 4, 3)]
    [InlineData("bad/name", 4, 3)]
    [InlineData("ok", 0, 3)]
    [InlineData("ok", 3, 3)]
    [InlineData("ok", 2048, 3)]
    [InlineData("ok", -4, 3)]
    [InlineData("ok", 4, 0)]
    [InlineData("ok", 4, 6)]
    public async Task Create_InvalidParameters_ChangesNothing(string? name, int partitionCount, int replicaCount)
    {
        _meta.Beacon(NodeA);

        var result = await _meta.Tables.CreateTableAsync(new CreateTableRequest(name, partitionCount, replicaCount), Ct);

        Assert.Equal(ErrorCode.InvalidParameters, result.Error);
        Assert.False(string.IsNullOrEmpty(result.Message));
        await AssertStoreUntouchedAsync();
    }

    [Fact]
    public async Task Create_NameTooLong_IsInvalid_MaxLengthIsFine()
    {
        _meta.Beacon(NodeA);

        var tooLong = await _meta.Tables.CreateTableAsync(new CreateTableRequest(new string('x', 129), 1, 1), Ct);
        var longest = await _meta.Tables.CreateTableAsync(new CreateTableRequest(new string('x', 128), 1, 1), Ct);
        var allChars = await _meta.Tables.CreateTableAsync(new CreateTableRequest("Az09_.:-", 1, 1), Ct);

        Assert.Equal(ErrorCode.InvalidParameters, tooLong.Error);
        Assert.True(longest.IsOk);
        Assert.True(allChars.IsOk);
    }

    [Fact]
    public async Task Create_NoReplicaServerAlive_IsNotEnoughMembers()
    {
        var never = await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 4, 1), Ct);
        _meta.Beacon(NodeA);
        _meta.Time.Advance(TimeSpan.FromSeconds(11));
        var expired = await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 4, 1), Ct);

        Assert.Equal(ErrorCode.NotEnoughMembers, never.Error);
        Assert.Equal(ErrorCode.NotEnoughMembers, expired.Error);
        await AssertStoreUntouchedAsync();
    }

    [Fact]
    public async Task Create_SpreadsPrimariesAndCopiesEvenlyOverAliveNodes_AtBallotOne()
    {
        _meta.Beacon(NodeC, NodeA, NodeB);

        var result = await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 8, 3), Ct);

        Assert.True(result.IsOk, result.Message);
        var table = result.Value!;
        Assert.Equal(1, table.Table.AppId);
        Assert.Equal(Enumerable.Range(0, 8), table.Partitions.Select(p => p.PartitionIndex));
        Assert.All(table.Partitions, p =>
        {
            Assert.Equal(1, p.Ballot);
            Assert.Equal(3, p.MaxReplicaCount);

            // Three copies on three distinct nodes.
            Assert.Equal(2, p.Secondaries.Count);
            Assert.Equal(3, p.Secondaries.Append(p.Primary).Distinct().Count());
        });
        Assert.Equal([NodeA, NodeB, NodeC, NodeA, NodeB, NodeC, NodeA, NodeB], table.Partitions.Select(p => p.Primary));
    }

    [Fact]
    public async Task Create_PrefersTheLeastLoadedNodes()
    {
        _meta.Beacon(NodeA, NodeB);
        Assert.True((await _meta.Tables.CreateTableAsync(new CreateTableRequest("first", 4, 1), Ct)).IsOk);
        _meta.Beacon(NodeC);

        var second = await _meta.Tables.CreateTableAsync(new CreateTableRequest("second", 4, 1), Ct);

        // A and B hold 2 each, C none: C takes the first two, then the three take turns.
        Assert.Equal([NodeC, NodeC, NodeA, NodeB], second.Value!.Partitions.Select(p => p.Primary));
    }

    [Fact]
    public async Task Create_WhileANodeIsDead_PlacesOnlyOnLiveNodes()
    {
        _meta.Beacon(NodeA, NodeB);
        _meta.Time.Advance(TimeSpan.FromSeconds(6));
        _meta.Beacon(NodeB);
        _meta.Time.Advance(TimeSpan.FromSeconds(6));

        var result = await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 4, 1), Ct);

        Assert.All(result.Value!.Partitions, p => Assert.Equal(NodeB, p.Primary));
    }

    [Fact]
    public async Task Create_ExistingName_IsAppExistAndChangesNothing()
    {
        _meta.Beacon(NodeA);
        Assert.True((await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 4, 1), Ct)).IsOk);

        var again = await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 8, 1), Ct);

        Assert.Equal(ErrorCode.AppExist, again.Error);
        var snapshot = await ReloadStoreAsync();
        Assert.Equal(4, Assert.Single(snapshot.Tables).Table.Value.PartitionCount);
        Assert.Equal(2, snapshot.NextAppId.Value);
    }

    [Fact]
    public async Task Create_IsDurableBeforeItReturns()
    {
        _meta.Beacon(NodeA);

        var result = await _meta.Tables.CreateTableAsync(new CreateTableRequest("durable", 2, 1), Ct);

        var stored = Assert.Single((await ReloadStoreAsync()).Tables);
        Assert.Equal(result.Value!.Table.AppId, stored.Table.Value.AppId);
        Assert.Equal(NodeA, stored.Partitions[1].Value.Primary);
    }

    [Fact]
    public async Task GetAndList_UnknownEmptyAndKnownNames()
    {
        _meta.Beacon(NodeA);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("b", 2, 1), Ct);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("a", 1, 1), Ct);

        Assert.Equal(ErrorCode.AppNotExist, (await _meta.Tables.GetTableAsync("nope", Ct)).Error);
        Assert.Equal(ErrorCode.InvalidParameters, (await _meta.Tables.GetTableAsync("", Ct)).Error);
        Assert.Equal(2, (await _meta.Tables.GetTableAsync("b", Ct)).Value!.Partitions.Count);
        Assert.Equal(["b", "a"], (await _meta.Tables.ListTablesAsync(Ct)).Value!.Select(t => t.Table.Name));
    }

    [Fact]
    public async Task Drop_UnknownOrEmptyName_IsRejected()
    {
        Assert.Equal(ErrorCode.AppNotExist, (await _meta.Tables.DropTableAsync("nope", Ct)).Error);
        Assert.Equal(ErrorCode.InvalidParameters, (await _meta.Tables.DropTableAsync("", Ct)).Error);
        await AssertStoreUntouchedAsync();
    }

    [Fact]
    public async Task Drop_RemovesFromRouting_TellsNodesToDelete_FreesTheName()
    {
        _meta.Beacon(NodeA);
        var created = (await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 2, 1), Ct)).Value!;
        Assert.Equal(2, (await _meta.Tables.GetNodeInstructionsAsync(NodeA, Ct)).Value!.Assignments.Count);

        var dropped = await _meta.Tables.DropTableAsync("t", Ct);

        Assert.Equal(TableStatus.Dropped, dropped.Value!.Table.Status);
        Assert.Equal(ErrorCode.AppNotExist, (await _meta.Tables.GetTableAsync("t", Ct)).Error);
        Assert.Empty((await _meta.Tables.ListTablesAsync(Ct)).Value!);
        var instructions = (await _meta.Tables.GetNodeInstructionsAsync(NodeA, Ct)).Value!;
        Assert.Empty(instructions.Assignments);
        Assert.Equal([created.Table.AppId], instructions.DroppedAppIds);
        Assert.Equal(TableStatus.Dropped, Assert.Single((await ReloadStoreAsync()).Tables).Table.Value.Status);

        var recreated = await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 2, 1), Ct);
        Assert.Equal(created.Table.AppId + 1, recreated.Value!.Table.AppId);
    }

    [Fact]
    public async Task NodeInstructions_ListOnlyThatNodesPrimaries()
    {
        _meta.Beacon(NodeA, NodeB);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 4, 1), Ct);

        var instructions = (await _meta.Tables.GetNodeInstructionsAsync(NodeB, Ct)).Value!;

        Assert.Equal([1, 3], instructions.Assignments.Select(a => a.PartitionIndex));
        Assert.All(instructions.Assignments, a =>
        {
            Assert.True(a.IsPrimary);
            Assert.Equal("t", a.AppName);
            Assert.Equal(4, a.PartitionCount);
            Assert.Equal(1, a.Ballot);
        });
        Assert.Empty((await _meta.Tables.GetNodeInstructionsAsync(NodeC, Ct)).Value!.Assignments);
    }

    [Fact]
    public async Task DeadPrimary_KeepsItsPartitions()
    {
        _meta.Beacon(NodeA);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 2, 1), Ct);
        _meta.Time.Advance(TimeSpan.FromMinutes(5));
        _meta.Nodes.CheckLiveness();

        var table = (await _meta.Tables.GetTableAsync("t", Ct)).Value!;

        Assert.False(_meta.Nodes.IsAlive(NodeA));
        Assert.All(table.Partitions, p => Assert.Equal(NodeA, p.Primary));
        Assert.Equal(2, (await _meta.Tables.GetNodeInstructionsAsync(NodeA, Ct)).Value!.Assignments.Count);
    }

    [Fact]
    public async Task Restart_ReloadsTablesAndDrops()
    {
        _meta.Beacon(NodeA);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("kept", 2, 3), Ct);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("gone", 1, 1), Ct);
        await _meta.Tables.DropTableAsync("gone", Ct);

        await _meta.RestartAsync();

        var kept = (await _meta.Tables.GetTableAsync("kept", Ct)).Value!;
        Assert.Equal((1, 2, 3), (kept.Table.AppId, kept.Table.PartitionCount, kept.Table.ReplicaCount));
        Assert.Equal(ErrorCode.AppNotExist, (await _meta.Tables.GetTableAsync("gone", Ct)).Error);
        Assert.Equal([2], (await _meta.Tables.GetNodeInstructionsAsync(NodeA, Ct)).Value!.DroppedAppIds);
        Assert.Equal(3, (await _meta.Tables.CreateTableAsync(new CreateTableRequest("next", 1, 1), Ct)).Value!.Table.AppId);
    }

    [Fact]
    public async Task NotLeader_ForwardsToTheLeader_OrIsNotActiveWithoutOne()
    {
        _meta.Beacon(NodeA);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 2, 1), Ct);
        _meta.Leadership.LoseTo(new MetaLeaderAddresses("http://127.0.0.1:1002", "http://127.0.0.1:2002"));
        await _meta.Tables.UnloadAsync(Ct);

        var get = await _meta.Tables.GetTableAsync("t", Ct);
        var create = await _meta.Tables.CreateTableAsync(new CreateTableRequest("u", 2, 1), Ct);
        var drop = await _meta.Tables.DropTableAsync("t", Ct);
        _meta.Leadership.LoseTo(null);
        var unknownLeader = await _meta.Tables.ListTablesAsync(Ct);

        Assert.Equal(ErrorCode.ForwardToOthers, get.Error);
        Assert.Equal(ErrorCode.ForwardToOthers, create.Error);
        Assert.Equal(ErrorCode.ForwardToOthers, drop.Error);
        Assert.Equal(ErrorCode.ServiceNotActive, unknownLeader.Error);
        Assert.False(_meta.Tables.IsLoaded);
        Assert.Equal("t", Assert.Single((await ReloadStoreAsync()).Tables).Table.Value.Name);
    }

    [Fact]
    public async Task RegainedLeadership_ReloadsStateOnDemand()
    {
        _meta.Beacon(NodeA);
        await _meta.Tables.CreateTableAsync(new CreateTableRequest("t", 2, 1), Ct);
        _meta.Leadership.LoseTo(null);
        await _meta.Tables.UnloadAsync(Ct);

        _meta.Leadership.Gain(new MetaLeaderAddresses("http://127.0.0.1:1001", "http://127.0.0.1:2001"));
        var table = await _meta.Tables.GetTableAsync("t", Ct);

        Assert.True(table.IsOk);
        Assert.True(_meta.Tables.IsLoaded);
    }

    private async Task AssertStoreUntouchedAsync()
    {
        var snapshot = await ReloadStoreAsync();
        Assert.Empty(snapshot.Tables);
        Assert.Equal(new Versioned<int>(1, 0), snapshot.NextAppId);
        Assert.Empty((await _meta.Tables.ListTablesAsync(Ct)).Value!);
    }

    private Task<MetaStateSnapshot> ReloadStoreAsync() => _meta.Store.LoadAsync(Ct);
}
