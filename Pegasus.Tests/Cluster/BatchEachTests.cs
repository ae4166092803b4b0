using Pegasus.Protocol;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Keys;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>
/// The batch variants of Java's client against real processes: multi-get/set/delete over several hash keys, and the
/// per-item (<c>*2</c>) variants where one failure does not hide the other items' results.
/// </summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class BatchEachTests(PegasusClusterFixture fixture)
{
    private static readonly byte[] TooLong = new byte[KeyLimits.MaxHashKeyLength + 1];

    [Fact]
    public async Task BatchSetGetDeleteEach_OneBadItem_OthersStillDoneAndReported()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("batch_each", partitionCount: 8);
        var hashKeys = PegasusTestCluster.ProbeKeys(table.PartitionCount, "each-");
        Assert.Equal(8, hashKeys.Select(h => PartitionResolver.PartitionIndex(h, [], 8)).Distinct().Count());

        var items = hashKeys.Select((h, i) => (h, B("s"), B($"v{i}"))).ToList();
        items.Insert(3, (TooLong, B("s"), B("bad")));
        var set = await table.BatchSetEachAsync(items, cancellationToken: ct);
        Assert.Equal(items.Count, set.Count);
        Assert.Equal(ErrorCode.InvalidHashKey, set[3].Error!.Error);
        Assert.All(set.Where((_, i) => i != 3), r => Assert.True(r.Succeeded, r.Error?.Message));

        var keys = hashKeys.Select(h => (h, B("s"))).ToList();
        keys.Add((B("absent"), B("s")));
        keys.Insert(0, (TooLong, B("s")));
        var got = await table.BatchGetEachAsync(keys, cancellationToken: ct);
        Assert.Equal(ErrorCode.InvalidHashKey, got[0].Error!.Error);
        Assert.Null(got[0].Value);
        for (var i = 0; i < hashKeys.Length; i++)
        {
            Assert.True(got[i + 1].Succeeded);
            Assert.Equal($"v{i}", S(got[i + 1].Value));
        }

        Assert.True(got[^1].Succeeded);
        Assert.Null(got[^1].Value);

        var deleted = await table.BatchDeleteEachAsync([(hashKeys[0], B("s")), (TooLong, B("s")), (hashKeys[1], B("s"))], cancellationToken: ct);
        Assert.Equal([true, false, true], deleted.Select(r => r.Succeeded));
        Assert.Equal(ErrorCode.InvalidHashKey, deleted[1].Error!.Error);
        Assert.Null(await table.GetAsync(hashKeys[0], B("s"), cancellationToken: ct));
        Assert.Null(await table.GetAsync(hashKeys[1], B("s"), cancellationToken: ct));
        Assert.Equal("v2", S(await table.GetAsync(hashKeys[2], B("s"), cancellationToken: ct)));
    }

    [Fact]
    public async Task BatchMultiSetGetDelete_SeveralHashKeys()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("batch_multi", partitionCount: 4);
        var hashKeys = PegasusTestCluster.ProbeKeys(table.PartitionCount, "multi-");

        await table.BatchMultiSetAsync(
            hashKeys.Select(h => (h, (IEnumerable<(byte[], byte[])>)[(B("a"), B("1")), (B("b"), B("2")), (B("c"), B("3"))])), ttlSeconds: 1000, cancellationToken: ct);
        Assert.InRange((await table.TtlAsync(hashKeys[1], B("b"), cancellationToken: ct))!.Value, 990, 1000);

        var read = await table.BatchMultiGetAsync([(hashKeys[0], null), (hashKeys[1], [B("c"), B("a"), B("zz")]), (B("nobody"), null)], cancellationToken: ct);
        Assert.Equal(["a", "b", "c"], SortKeys(read[0]));
        Assert.Equal(["c", "a"], SortKeys(read[1]));
        Assert.Empty(read[2].Values);

        await table.BatchMultiDeleteAsync([(hashKeys[0], [B("a"), B("b")]), (hashKeys[2], [B("c")])], cancellationToken: ct);
        Assert.Equal(["c"], SortKeys(await table.MultiGetAsync(hashKeys[0], cancellationToken: ct)));
        Assert.Equal(["a", "b"], SortKeys(await table.MultiGetAsync(hashKeys[2], cancellationToken: ct)));
        Assert.Equal(3, await table.SortKeyCountAsync(hashKeys[3], cancellationToken: ct));
    }

    [Fact]
    public async Task BatchMultiEach_BadItems_ReportedPerItem_ThrowingVariantsWriteNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("batch_multi_each", partitionCount: 4);

        IEnumerable<(byte[], byte[])> one = [(B("s"), B("v"))];
        var set = await table.BatchMultiSetEachAsync([(B("h1"), one), (B("h2"), []), ([], one), (B("h3"), one)], cancellationToken: ct);
        Assert.True(set[0].Succeeded);
        Assert.Equal(ErrorCode.InvalidValue, set[1].Error!.Error);
        Assert.Equal(ErrorCode.InvalidHashKey, set[2].Error!.Error);
        Assert.True(set[3].Succeeded);

        var got = await table.BatchMultiGetEachAsync([(B("h1"), null), ([], null), (B("h3"), [B("s")])], cancellationToken: ct);
        Assert.Equal(["s"], SortKeys(got[0].Value!));
        Assert.Equal(ErrorCode.InvalidHashKey, got[1].Error!.Error);
        Assert.Null(got[1].Value);
        Assert.Equal(["s"], SortKeys(got[2].Value!));

        // The throwing variant fails with the first bad item's code; nothing was read into a partial answer.
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.BatchMultiGetAsync([(B("h1"), null), ([], null)], cancellationToken: ct));

        var deleted = await table.BatchMultiDeleteEachAsync([(B("h1"), [B("s")]), (B("h3"), [])], cancellationToken: ct);
        Assert.True(deleted[0].Succeeded);
        Assert.Equal(ErrorCode.InvalidValue, deleted[1].Error!.Error);
        Assert.Equal(0, await table.SortKeyCountAsync(B("h1"), cancellationToken: ct));

        // The throwing write variants check every item first: one bad item and nothing is written or deleted.
        await AssertErrorAsync(ErrorCode.InvalidValue, () => table.BatchMultiSetAsync([(B("h4"), one), (B("h5"), [])], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.BatchMultiDeleteAsync([(B("h3"), [B("s")]), ([], [B("s")])], cancellationToken: ct));
        Assert.Equal(0, await table.SortKeyCountAsync(B("h4"), cancellationToken: ct));
        Assert.Equal(1, await table.SortKeyCountAsync(B("h3"), cancellationToken: ct));

        // Empty lists: refused where Pegasus's Java client refuses them.
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.BatchMultiSetAsync([], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.BatchMultiGetEachAsync([], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.BatchGetEachAsync([], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.BatchDeleteAsync([], cancellationToken: ct));
    }
}
