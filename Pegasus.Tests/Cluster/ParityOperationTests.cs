using Google.Protobuf;
using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Tests.Replica;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>The operations of Java's PegasusTableInterface that came with issue 10, against real processes.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class ParityOperationTests(PegasusClusterFixture fixture)
{
    private static string[] Keys(string prefix, int from, int toExclusive) => [.. Enumerable.Range(from, toExclusive - from).Select(i => $"{prefix}{i:D3}")];

    [Fact]
    public async Task DeleteRange_BoundsAndFilter_DeletesExactlyTheMatchingSortKeysOfOneHashKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("delrange", partitionCount: 4);

        // 250 records: more than two of the 100-key batches delRange deletes by.
        foreach (var chunk in Keys("k", 0, 250).Chunk(50))
        {
            await table.MultiSetAsync(B("h"), chunk.Select(k => (B(k), B("v"))), cancellationToken: ct);
        }

        await table.SetAsync(B("other"), B("k100"), B("kept"), cancellationToken: ct);

        Assert.Equal(190, await table.DeleteRangeAsync(B("h"), B("k010"), B("k200"), cancellationToken: ct));
        string[] expected = [.. Keys("k", 0, 10), .. Keys("k", 200, 250)];
        Assert.Equal(expected, SortKeys(await table.MultiGetAsync(B("h"), cancellationToken: ct)));

        // Exclusive start, inclusive stop.
        Assert.Equal(10, await table.DeleteRangeAsync(
            B("h"), B("k000"), B("k200"), new DeleteRangeOptions { StartInclusive = false, StopInclusive = true }, cancellationToken: ct));
        expected = [.. Keys("k", 0, 1), .. Keys("k", 201, 250)];
        Assert.Equal(expected, SortKeys(await table.MultiGetAsync(B("h"), cancellationToken: ct)));

        // Only the sort keys the filter matches, over the whole hash key.
        Assert.Equal(5, await table.DeleteRangeAsync(
            B("h"), [], [], new DeleteRangeOptions { SortKeyFilterType = FilterType.MatchPostfix, SortKeyFilterPattern = B("5") }, cancellationToken: ct));
        Assert.DoesNotContain(SortKeys(await table.MultiGetAsync(B("h"), cancellationToken: ct)), k => k.EndsWith('5'));

        // An empty range deletes nothing.
        Assert.Equal(0, await table.DeleteRangeAsync(B("h"), B("k300"), B("k100"), cancellationToken: ct));
        Assert.Equal(45, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));

        // The whole hash key, and nothing of another one.
        Assert.Equal(45, await table.DeleteRangeAsync(B("h"), [], [], cancellationToken: ct));
        Assert.Equal(0, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));
        Assert.Equal("kept", S(await table.GetAsync(B("other"), B("k100"), cancellationToken: ct)));
    }

    [Fact]
    public async Task DeleteRange_BatchRefused_ReportsHowFarItGotAndResumesFromThere()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("delrange_fail", partitionCount: 2);
        foreach (var chunk in Keys("a", 0, 150).Chunk(50))
        {
            await table.MultiSetAsync(B("h"), chunk.Select(k => (B(k), B("v"))), cancellationToken: ct);
        }

        // 50 sort keys of 30,000 bytes: the second batch (a100..a149 and these) is over the 1 MiB write limit.
        var big = Enumerable.Range(0, 50).Select(i => B($"z{i:D3}" + new string('x', 30_000))).ToArray();
        foreach (var sortKey in big)
        {
            await table.SetAsync(B("h"), sortKey, B("v"), cancellationToken: ct);
        }

        var failure = await Assert.ThrowsAsync<DeleteRangeException>(() => table.DeleteRangeAsync(B("h"), [], [], cancellationToken: ct));
        Assert.Equal(ErrorCode.InvalidArgument, failure.Error);
        Assert.IsType<PegasusException>(failure.InnerException);
        Assert.Equal(100, failure.DeletedCount);
        Assert.Equal("a100", S(failure.NextSortKey));

        // Everything before NextSortKey is gone; from it on, everything is still there.
        var left = await table.MultiGetSortKeysAsync(B("h"), cancellationToken: ct);
        string[] expected = [.. Keys("a", 100, 150), .. big.Select(S)];
        Assert.Equal(expected, left.SortKeys.Select(S));

        // Restarting from NextSortKey (start inclusive) continues where it stopped.
        Assert.Equal(50, await table.DeleteRangeAsync(B("h"), failure.NextSortKey, B("z"), cancellationToken: ct));
        Assert.Equal(50, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));
    }

    [Fact]
    public async Task MultiGetSortKeys_RangeFilterAndLimits_NoValues()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("sortkeys", partitionCount: 4);
        await table.MultiSetAsync(B("h"), Keys("s", 0, 20).Select(k => (B(k), B("value-" + k))), cancellationToken: ct);

        var all = await table.MultiGetSortKeysAsync(B("h"), cancellationToken: ct);
        Assert.True(all.Complete);
        Assert.Equal(Keys("s", 0, 20), all.SortKeys.Select(S));

        var limited = await table.MultiGetSortKeysAsync(B("h"), new MultiGetOptions { MaxCount = 3 }, cancellationToken: ct);
        Assert.False(limited.Complete);
        Assert.Equal(Keys("s", 0, 3), limited.SortKeys.Select(S));

        var range = await table.MultiGetSortKeysAsync(
            B("h"), B("s005"), B("s015"), new MultiGetOptions { StopInclusive = true, SortKeyFilterType = FilterType.MatchPostfix, SortKeyFilterPattern = B("0") }, cancellationToken: ct);
        Assert.Equal(["s010"], range.SortKeys.Select(S));

        Assert.Empty((await table.MultiGetSortKeysAsync(B("nobody"), cancellationToken: ct)).SortKeys);
    }

    [Fact]
    public async Task CompareExchange_SwapsOnlyOnEqualValue_ReportsTheActualValue()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("cmpxchg", partitionCount: 2);

        var absent = await table.CompareExchangeAsync(B("h"), B("s"), B("v1"), B("v2"), cancellationToken: ct);
        Assert.False(absent.SetSucceed);
        Assert.Null(absent.ActualValue);
        Assert.Null(await table.GetAsync(B("h"), B("s"), cancellationToken: ct));

        await table.SetAsync(B("h"), B("s"), B("v1"), cancellationToken: ct);
        var swapped = await table.CompareExchangeAsync(B("h"), B("s"), B("v1"), B("v2"), ttlSeconds: 1000, cancellationToken: ct);
        Assert.True(swapped.SetSucceed);
        Assert.Null(swapped.ActualValue);
        Assert.Equal("v2", S(await table.GetAsync(B("h"), B("s"), cancellationToken: ct)));
        Assert.InRange((await table.TtlAsync(B("h"), B("s"), cancellationToken: ct))!.Value, 990, 1000);

        var stale = await table.CompareExchangeAsync(B("h"), B("s"), B("v1"), B("v3"), cancellationToken: ct);
        Assert.False(stale.SetSucceed);
        Assert.Equal("v2", S(stale.ActualValue));
        Assert.Equal("v2", S(await table.GetAsync(B("h"), B("s"), cancellationToken: ct)));
    }

    [Fact]
    public async Task CountOnlyScans_ServerCounts_NoRecordsTravel()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("count_scan", partitionCount: 4);
        var hashKeys = PegasusTestCluster.ProbeKeys(table.PartitionCount, "count-");
        foreach (var hashKey in hashKeys)
        {
            await table.MultiSetAsync(hashKey, Keys("s", 0, 30).Select(k => (B(k), B("v"))), cancellationToken: ct);
        }

        // Several batches per partition (batch size 7), counted by the servers.
        var countOnly = new ScanOptions { OnlyReturnCount = true, BatchSize = 7 };
        long total = 0;
        foreach (var scanner in await table.GetUnorderedScannersAsync(3, countOnly, ct))
        {
            await using (scanner)
            {
                total += await scanner.CountAsync(ct);
            }
        }

        Assert.Equal(30 * hashKeys.Length, total);

        await using (var hashScan = await table.GetScannerAsync(
            hashKeys[0], B("s010"), B("s020"), countOnly with { SortKeyFilterType = FilterType.MatchPostfix, SortKeyFilterPattern = B("5") }, ct))
        {
            Assert.Equal(1, await hashScan.CountAsync(ct));
        }

        // A count-only scanner has no records to enumerate: it says so rather than look empty.
        await using (var scanner = await table.GetScannerAsync(hashKeys[0], [], [], countOnly, ct))
        {
            Assert.Throws<InvalidOperationException>(() => scanner.GetAsyncEnumerator(ct));
        }

        // CountAsync also counts a scanner that fetches records.
        await using (var fetching = await table.GetScannerAsync(hashKeys[0], [], [], new ScanOptions { BatchSize = 7 }, ct))
        {
            Assert.Equal(30, await fetching.CountAsync(ct));
        }

        // On the wire: the count comes back, the records do not.
        var partition = PartitionResolver.PartitionIndex(hashKeys[0], [], table.PartitionCount);
        var primary = (await fixture.Client.Admin.GetTableAsync(table.Name, ct)).Partitions.Single(p => p.PartitionIndex == partition).Primary!;
        await using var stream = new RawDataStream(primary);
        var response = await stream.SendAsync(
            new DataRequest
            {
                AppId = table.AppId,
                PartitionIndex = partition,
                GetScanner = new GetScannerRequest { HashKey = ByteString.CopyFrom(hashKeys[0]), StartInclusive = true, BatchSize = 1000, OnlyReturnCount = true },
            },
            ct);
        Assert.True(response.Error == ErrorCode.Ok, $"{response}");
        Assert.Empty(response.Scan.Kvs);
        Assert.Equal(30, response.Scan.KvCount);
    }

    [Fact]
    public async Task Ttl_MissingOrExpired_IsNullLikeGetAndExist()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("ttl_mapping", partitionCount: 2);

        // Java answers -2 here; .NET answers null, as Get answers null and Exist false.
        Assert.Null(await table.TtlAsync(B("h"), B("missing"), cancellationToken: ct));
        Assert.Null(await table.GetAsync(B("h"), B("missing"), cancellationToken: ct));
        Assert.False(await table.ExistAsync(B("h"), B("missing"), cancellationToken: ct));

        await table.SetAsync(B("h"), B("short"), B("v"), ttlSeconds: 1, cancellationToken: ct);
        await EventuallyAsync(async () => await table.GetAsync(B("h"), B("short"), cancellationToken: ct) is null, () => "the record to expire");
        Assert.Null(await table.TtlAsync(B("h"), B("short"), cancellationToken: ct));
        Assert.False(await table.ExistAsync(B("h"), B("short"), cancellationToken: ct));
    }
}
