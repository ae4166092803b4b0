using Pegasus.Client;
using Pegasus.Protocol;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>Dropping and recreating tables as seen by a client that already opened them.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class TableLifecycleTests(PegasusClusterFixture fixture)
{
    [Fact]
    public async Task DropTable_OpenedTableFailsWithAppNotExist()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("lifecycle_drop", partitionCount: 4);
        await table.SetAsync(B("h"), B("s"), B("v"), cancellationToken: ct);

        await fixture.Client.Admin.DropTableAsync(table.Name, ct);

        // The replica servers close the table's replicas at their next beacon; from then on the client,
        // refreshing its routing, learns the table is gone.
        PegasusException? failure = null;
        await EventuallyAsync(
            async () =>
            {
                try
                {
                    await table.GetAsync(B("h"), B("s"), timeout: TimeSpan.FromSeconds(10), cancellationToken: ct);
                    return false;
                }
                catch (PegasusException ex)
                {
                    failure = ex;
                    return true;
                }
            },
            () => "reads of a dropped table to fail");

        Assert.True(failure!.Error == ErrorCode.AppNotExist, $"{failure.Error}: {failure.Message}");
        await AssertErrorAsync(ErrorCode.AppNotExist, () => table.SetAsync(B("h"), B("s"), B("v2"), cancellationToken: ct));
    }

    [Fact]
    public async Task RecreateTableWithSameName_SameClientSeesTheNewEmptyTable()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = PegasusClusterFixture.UniqueTableName("lifecycle_recreate");
        var admin = fixture.Client.Admin;
        var first = await fixture.Cluster.CreateTableAsync(fixture.Client, name, partitionCount: 2, ct);
        var firstAppId = first.AppId;
        await first.SetAsync(B("h"), B("s"), B("old table"), cancellationToken: ct);

        await admin.DropTableAsync(name, ct);
        var second = await fixture.Cluster.CreateTableAsync(fixture.Client, name, partitionCount: 8, ct);

        Assert.NotEqual(firstAppId, second.AppId);
        Assert.Equal(8, second.PartitionCount);
        Assert.Null(await second.GetAsync(B("h"), B("s"), cancellationToken: ct));
        Assert.Empty(await ScanAllAsync(second));

        await second.SetAsync(B("h"), B("s"), B("new table"), cancellationToken: ct);
        Assert.Equal("new table", S(await second.GetAsync(B("h"), B("s"), cancellationToken: ct)));
        Assert.Equal(8, (await admin.GetTableAsync(name, ct)).PartitionCount);
    }
}
