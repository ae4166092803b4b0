using Pegasus.ZooKeeper;
using static Pegasus.Tests.ZooKeeper.ZooKeeperTestHelpers;

namespace Pegasus.Tests.ZooKeeper;

[Collection(ZooKeeperStandaloneCollection.Name)]
public sealed class ZooKeeperMultiTests(ZooKeeperStandaloneFixture fixture)
{
    [Fact]
    public async Task Multi_AllSucceed_AppliesEveryOpAndReturnsResults()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        await zk.CreateAsync($"{root}/old", Bytes("old"), CreateMode.Persistent, TestToken);
        await zk.CreateAsync($"{root}/config", Bytes("v0"), CreateMode.Persistent, TestToken);

        var result = await zk.MultiAsync(
            [
                MultiOp.Check(root, 0),
                MultiOp.Create($"{root}/new", Bytes("new")),
                MultiOp.Create($"{root}/seq-", Bytes("s"), CreateMode.PersistentSequential),
                MultiOp.SetData($"{root}/config", Bytes("v1"), 0),
                MultiOp.Delete($"{root}/old", 0),
            ],
            TestToken);

        Assert.True(result.Succeeded);
        Assert.Equal(-1, result.FailedIndex);
        Assert.Same(result, result.EnsureSuccess());
        Assert.IsType<CheckResult>(result.Results[0]);
        Assert.Equal($"{root}/new", Assert.IsType<CreateResult>(result.Results[1]).Path);
        // The counter is the parent's cversion: old, config and new were created before it.
        Assert.Equal($"{root}/seq-0000000003", Assert.IsType<CreateResult>(result.Results[2]).Path);
        Assert.Equal(1, Assert.IsType<SetDataResult>(result.Results[3]).Stat.Version);
        Assert.IsType<DeleteResult>(result.Results[4]);
        Assert.Equal("v1", Text((await zk.GetDataAsync($"{root}/config", cancellationToken: TestToken)).Data));
        Assert.NotNull(await zk.ExistsAsync($"{root}/new", cancellationToken: TestToken));
        Assert.Null(await zk.ExistsAsync($"{root}/old", cancellationToken: TestToken));
    }

    [Fact]
    public async Task Multi_FailedCheck_AppliesNothing_AndReportsTheFailingOp()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        await zk.CreateAsync($"{root}/config", Bytes("v0"), CreateMode.Persistent, TestToken);
        await zk.SetDataAsync($"{root}/config", Bytes("v1"), -1, TestToken);

        var result = await zk.MultiAsync(
            [
                MultiOp.Create($"{root}/a", Bytes("a")),
                MultiOp.SetData($"{root}/config", Bytes("v2")),
                MultiOp.Check($"{root}/config", 0),
                MultiOp.Create($"{root}/b", Bytes("b")),
            ],
            TestToken);

        Assert.False(result.Succeeded);
        Assert.Equal(2, result.FailedIndex);
        Assert.Equal(ZooKeeperErrorCode.BadVersion, result.FailedCode);
        Assert.Equal($"{root}/config", result.FailedOperation!.Path);
        Assert.Equal(
            [ZooKeeperErrorCode.Ok, ZooKeeperErrorCode.Ok, ZooKeeperErrorCode.BadVersion, ZooKeeperErrorCode.RuntimeInconsistency],
            result.Results.Select(r => Assert.IsType<ErrorResult>(r).Code));
        var thrown = Assert.Throws<BadVersionException>(() => result.EnsureSuccess());
        Assert.Contains("operation 2", thrown.Message, StringComparison.Ordinal);
        Assert.Equal($"{root}/config", thrown.Path);

        // Rolled back: neither the create before the check nor the setData happened.
        Assert.Null(await zk.ExistsAsync($"{root}/a", cancellationToken: TestToken));
        var config = await zk.GetDataAsync($"{root}/config", cancellationToken: TestToken);
        Assert.Equal("v1", Text(config.Data));
        Assert.Equal(1, config.Stat.Version);
    }

    [Fact]
    public async Task Multi_CreateExisting_ReportsNodeExists()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);
        var root = await CreateTestRootAsync(zk);
        await zk.CreateAsync($"{root}/taken", Bytes("x"), CreateMode.Persistent, TestToken);

        var result = await zk.MultiAsync([MultiOp.Delete(root, 0), MultiOp.Create($"{root}/taken", Bytes("y"))], TestToken);

        Assert.Equal(0, result.FailedIndex);
        Assert.Equal(ZooKeeperErrorCode.NotEmpty, result.FailedCode);
        Assert.Throws<NotEmptyException>(() => result.EnsureSuccess());
    }

    [Fact]
    public async Task Multi_Empty_Succeeds()
    {
        await using var zk = await ConnectAsync(fixture.Server.ConnectionString);

        var result = await zk.MultiAsync([], TestToken);

        Assert.True(result.Succeeded);
        Assert.Empty(result.Results);
    }
}
