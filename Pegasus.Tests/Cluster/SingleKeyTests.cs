using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>Set, Get, Delete, Exist and Ttl through Pegasus.Client against real meta and replica processes.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class SingleKeyTests(PegasusClusterFixture fixture)
{
    [Fact]
    public async Task SetGetDelete_RoundTrip()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("single_roundtrip", partitionCount: 8);

        Assert.Null(await table.GetAsync(B("user"), B("name"), cancellationToken: ct));
        Assert.False(await table.ExistAsync(B("user"), B("name"), cancellationToken: ct));
        Assert.Null(await table.TtlAsync(B("user"), B("name"), cancellationToken: ct));

        await table.SetAsync(B("user"), B("name"), B("pegasus"), cancellationToken: ct);
        Assert.Equal("pegasus", S(await table.GetAsync(B("user"), B("name"), cancellationToken: ct)));
        Assert.True(await table.ExistAsync(B("user"), B("name"), cancellationToken: ct));
        Assert.Equal(-1, await table.TtlAsync(B("user"), B("name"), cancellationToken: ct));

        // Overwrite, and a neighbour sort key stays separate.
        await table.SetAsync(B("user"), B("name"), B("pegasus-2"), cancellationToken: ct);
        await table.SetAsync(B("user"), B("name2"), B("other"), cancellationToken: ct);
        Assert.Equal("pegasus-2", S(await table.GetAsync(B("user"), B("name"), cancellationToken: ct)));

        await table.DeleteAsync(B("user"), B("name"), cancellationToken: ct);
        Assert.Null(await table.GetAsync(B("user"), B("name"), cancellationToken: ct));
        Assert.False(await table.ExistAsync(B("user"), B("name"), cancellationToken: ct));
        Assert.Equal("other", S(await table.GetAsync(B("user"), B("name2"), cancellationToken: ct)));

        // Deleting what does not exist succeeds.
        await table.DeleteAsync(B("user"), B("name"), cancellationToken: ct);
        await table.DeleteAsync(B("nobody"), B("nothing"), cancellationToken: ct);

        // Opening the table again gives the same routed instance, which sees the same data.
        var reopened = await fixture.Client.OpenTableAsync(table.Name, ct);
        Assert.Same(table, reopened);
        Assert.Equal(8, reopened.PartitionCount);
        Assert.Equal("other", S(await reopened.GetAsync(B("user"), B("name2"), cancellationToken: ct)));
    }

    [Fact]
    public async Task Set_WithTtl_TtlReportsRemainingSeconds()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("single_ttl");

        await table.SetAsync(B("h"), B("s"), B("v"), ttlSeconds: 100, cancellationToken: ct);
        var ttl = await table.TtlAsync(B("h"), B("s"), cancellationToken: ct);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, 95, 100);
        Assert.Equal("v", S(await table.GetAsync(B("h"), B("s"), cancellationToken: ct)));

        // A plain set replaces the record, TTL included.
        await table.SetAsync(B("h"), B("s"), B("v2"), cancellationToken: ct);
        Assert.Equal(-1, await table.TtlAsync(B("h"), B("s"), cancellationToken: ct));
    }

    [Fact]
    public async Task Get_AbsentRecord_IsNullNotAnError()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("single_absent", partitionCount: 8);

        // One absent key in every partition: not found is a result everywhere.
        foreach (var hashKey in PegasusTestCluster.ProbeKeys(table.PartitionCount, "absent-"))
        {
            Assert.Null(await table.GetAsync(hashKey, B("sk"), cancellationToken: ct));
            Assert.False(await table.ExistAsync(hashKey, B("sk"), cancellationToken: ct));
            Assert.Null(await table.TtlAsync(hashKey, B("sk"), cancellationToken: ct));
        }
    }

    [Fact]
    public async Task Set_BinaryEmptyAndLargeValues_ReadBackExactly()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("single_binary");
        byte[] binaryKey = [0x00, 0xFF, 0x80, 0x0A, 0x00];
        var binaryValue = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var large = new byte[512 * 1024];
        Random.Shared.NextBytes(large);

        await table.SetAsync(binaryKey, binaryKey, binaryValue, cancellationToken: ct);
        await table.SetAsync(B("h"), B("empty"), [], cancellationToken: ct);
        await table.SetAsync(B("h"), B("large"), large, cancellationToken: ct);

        Assert.Equal(binaryValue, await table.GetAsync(binaryKey, binaryKey, cancellationToken: ct));
        var empty = await table.GetAsync(B("h"), B("empty"), cancellationToken: ct);
        Assert.NotNull(empty);
        Assert.Empty(empty);
        Assert.True(await table.ExistAsync(B("h"), B("empty"), cancellationToken: ct));
        Assert.Equal(large, await table.GetAsync(B("h"), B("large"), cancellationToken: ct));
    }

    [Fact]
    public async Task EmptySortKey_IsARecordOfItsOwn()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("single_empty_sk");

        await table.SetAsync(B("h"), [], B("no sort key"), cancellationToken: ct);
        await table.SetAsync(B("h"), B("a"), B("with sort key"), cancellationToken: ct);

        Assert.Equal("no sort key", S(await table.GetAsync(B("h"), [], cancellationToken: ct)));
        Assert.Equal("with sort key", S(await table.GetAsync(B("h"), B("a"), cancellationToken: ct)));
        Assert.Equal(2, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));

        await table.DeleteAsync(B("h"), [], cancellationToken: ct);
        Assert.Null(await table.GetAsync(B("h"), [], cancellationToken: ct));
        Assert.Equal("with sort key", S(await table.GetAsync(B("h"), B("a"), cancellationToken: ct)));
    }

    [Fact]
    public async Task EmptyHashKey_SingleOpsWork_MultiOpsAreRejected()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("single_empty_hk", partitionCount: 8);

        // With an empty hash key the sort key picks the partition: these land on several partitions.
        for (var i = 0; i < 16; i++)
        {
            await table.SetAsync([], B($"sk{i}"), B($"v{i}"), cancellationToken: ct);
        }

        for (var i = 0; i < 16; i++)
        {
            Assert.Equal($"v{i}", S(await table.GetAsync([], B($"sk{i}"), cancellationToken: ct)));
            Assert.True(await table.ExistAsync([], B($"sk{i}"), cancellationToken: ct));
            Assert.Equal(-1, await table.TtlAsync([], B($"sk{i}"), cancellationToken: ct));
        }

        Assert.Equal(5, await table.IncrAsync([], B("counter"), 5, cancellationToken: ct));
        await table.DeleteAsync([], B("sk0"), cancellationToken: ct);
        Assert.Null(await table.GetAsync([], B("sk0"), cancellationToken: ct));

        // Operations on one hash key's sort keys need a hash key.
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.MultiSetAsync([], [(B("a"), B("1"))], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.MultiGetAsync([], [B("sk1")], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.MultiGetRangeAsync([], [], [], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.MultiDeleteAsync([], [B("sk1")], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.SortKeyCountAsync([], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.CheckAndSetAsync(
            [], B("sk1"), CheckType.NoCheck, [], B("sk1"), B("x"), cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.CheckAndMutateAsync(
            [], B("sk1"), CheckType.NoCheck, [], new Mutations().Set(B("sk1"), B("x")), cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.GetScannerAsync([], [], [], cancellationToken: ct));

        // The rejected calls changed nothing.
        Assert.Equal("v1", S(await table.GetAsync([], B("sk1"), cancellationToken: ct)));
        Assert.Null(await table.GetAsync([], B("a"), cancellationToken: ct));
    }
}
