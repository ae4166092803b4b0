using Pegasus.Protocol;
using Pegasus.Protocol.Hashing;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>BatchGet, BatchSet and BatchDelete over keys of every partition against real processes.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class BatchTests(PegasusClusterFixture fixture)
{
    [Fact]
    public async Task BatchSetThenBatchGet_AcrossEveryPartition_SomeAbsent()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("batch_get", partitionCount: 8);
        var items = Enumerable.Range(0, 64).Select(i => (HashKey: B($"user{i}"), SortKey: B($"s{i % 3}"), Value: B($"value{i}"))).ToList();
        Assert.Equal(8, items.Select(i => PartitionResolver.PartitionIndex(i.HashKey, [], 8)).Distinct().Count());

        await table.BatchSetAsync(items, cancellationToken: ct);

        // Present keys, absent keys (unknown hash key, unknown sort key) and a repeated key, interleaved.
        var keys = new List<(byte[] HashKey, byte[] SortKey)>();
        foreach (var item in items)
        {
            keys.Add((item.HashKey, item.SortKey));
            keys.Add((item.HashKey, B("absent")));
        }

        keys.Add((B("nobody"), B("s0")));
        keys.Add((items[5].HashKey, items[5].SortKey));
        var results = await table.BatchGetAsync(keys, cancellationToken: ct);

        Assert.Equal(keys.Count, results.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(keys[i].HashKey, results[i].HashKey);
            Assert.Equal(keys[i].SortKey, results[i].SortKey);
        }

        for (var i = 0; i < items.Count; i++)
        {
            Assert.True(results[2 * i].Found, $"item {i} should be found");
            Assert.Equal($"value{i}", S(results[2 * i].Value));
            Assert.False(results[(2 * i) + 1].Found);
            Assert.Null(results[(2 * i) + 1].Value);
        }

        Assert.False(results[^2].Found);
        Assert.Equal("value5", S(results[^1].Value));
    }

    [Fact]
    public async Task BatchDelete_RemovesOnlyTheNamedRecords()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("batch_delete", partitionCount: 8);
        var items = Enumerable.Range(0, 40).Select(i => (HashKey: B($"k{i}"), SortKey: B("s"), Value: B($"v{i}"))).ToList();
        await table.BatchSetAsync(items, ttlSeconds: 1000, cancellationToken: ct);
        Assert.InRange((await table.TtlAsync(items[7].HashKey, items[7].SortKey, cancellationToken: ct))!.Value, 990, 1000);

        var even = items.Where((_, i) => i % 2 == 0).Select(i => (i.HashKey, i.SortKey)).ToList();
        await table.BatchDeleteAsync([.. even, (B("never-written"), B("s"))], cancellationToken: ct);

        var results = await table.BatchGetAsync(items.Select(i => (i.HashKey, i.SortKey)), cancellationToken: ct);
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(i % 2 != 0, results[i].Found);
        }

        Assert.Equal(20, (await ScanAllAsync(table)).Count);
    }

    [Fact]
    public async Task Batch_InvalidKeyOrTtl_RejectedBeforeAnythingIsWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("batch_invalid");
        var tooLong = new byte[65535];

        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.BatchSetAsync([(B("ok"), B("s"), B("v")), (tooLong, B("s"), B("v"))], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.BatchSetAsync([(B("ok"), B("s"), B("v"))], ttlSeconds: -1, cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.BatchGetAsync([(tooLong, B("s"))], cancellationToken: ct));

        // An empty batch get is refused (as by Pegasus's clients and server), not answered with an empty list.
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.BatchGetAsync([], cancellationToken: ct));

        Assert.Null(await table.GetAsync(B("ok"), B("s"), cancellationToken: ct));
        Assert.Empty(await ScanAllAsync(table));
    }
}
