using System.Globalization;
using Pegasus.Client;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Time;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>Hash scans and unordered full-table scanners, paging through server contexts, against real processes.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class ScannerTests(PegasusClusterFixture fixture)
{
    private static string Sk(int i) => "k" + i.ToString("D3", CultureInfo.InvariantCulture);

    private static string[] Keys(int from, int toInclusive) => [.. Enumerable.Range(from, toInclusive - from + 1).Select(Sk)];

    private static async Task<List<PegasusRecord>> DrainAsync(PegasusScanner scanner)
    {
        var records = new List<PegasusRecord>();
        await using (scanner)
        {
            await foreach (var record in scanner.WithCancellation(TestContext.Current.CancellationToken))
            {
                records.Add(record);
            }
        }

        return records;
    }

    [Fact]
    public async Task HashScan_SortKeyRange_PagesInOrderWithinBounds()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("scan_hash", partitionCount: 4);
        await table.MultiSetAsync(B("h"), Enumerable.Range(0, 100).Select(i => (B(Sk(i)), B($"v{i}"))), cancellationToken: ct);

        // Neighbouring hash keys (sharing a prefix, or sorting right after) must not leak into the scan.
        await table.SetAsync(B("h2"), B(Sk(50)), B("other"), cancellationToken: ct);
        await table.SetAsync(B("g"), B(Sk(50)), B("other"), cancellationToken: ct);

        async Task<string[]> ScanAsync(string start, string stop, ScanOptions options)
        {
            var records = await DrainAsync(await table.GetScannerAsync(B("h"), B(start), B(stop), options, ct));
            Assert.All(records, record => Assert.Equal("h", S(record.HashKey)));
            return [.. records.Select(record => S(record.SortKey))];
        }

        // A batch size far below the range's size: the scanner fetches many pages (80 records, 7 a page).
        var small = new ScanOptions { BatchSize = 7 };
        using (var roundTrips = new ClientOperationCounter(table.Name))
        {
            Assert.Equal(Keys(10, 89), await ScanAsync("k010", "k090", small));
            Assert.Equal(1, roundTrips.Count("GetScanner"));
            Assert.InRange(roundTrips.Count("Scan"), 11, 12);
        }

        Assert.Equal(Keys(10, 90), await ScanAsync("k010", "k090", small with { StopInclusive = true }));
        Assert.Equal(Keys(11, 89), await ScanAsync("k010", "k090", small with { StartInclusive = false }));
        Assert.Equal(Keys(11, 90), await ScanAsync("k010", "k090", small with { StartInclusive = false, StopInclusive = true }));
        Assert.Equal(Keys(95, 99), await ScanAsync("k095", "", small));
        Assert.Equal(Keys(0, 99), await ScanAsync("", "", small with { BatchSize = 1 }));
        Assert.Equal(["k050"], await ScanAsync("k050", "k050", small with { StopInclusive = true }));
        Assert.Empty(await ScanAsync("k050", "k050", small));
        Assert.Empty(await ScanAsync("k090", "k010", small));

        // Values, no-value, and a sort-key filter.
        var withValues = await DrainAsync(await table.GetScannerAsync(B("h"), B("k000"), B("k003"), small, ct));
        Assert.Equal(["v0", "v1", "v2"], withValues.Select(record => S(record.Value)));
        var keysOnly = await DrainAsync(await table.GetScannerAsync(B("h"), [], [], small with { NoValue = true }, ct));
        Assert.Equal(100, keysOnly.Count);
        Assert.All(keysOnly, record => Assert.Empty(record.Value));
        Assert.Equal(
            ["k007", "k017", "k027", "k037", "k047", "k057", "k067", "k077", "k087", "k097"],
            await ScanAsync("", "", small with { SortKeyFilterType = FilterType.MatchPostfix, SortKeyFilterPattern = B("7") }));
    }

    [Fact]
    public async Task Scan_ReturnExpireTimestamp_ReportsEachRecordsExpireTime()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("scan_expire_ts", partitionCount: 2);
        var before = PegasusEpoch.SecondsSinceEpoch(DateTimeOffset.UtcNow);
        await table.SetAsync(B("h"), B("leased"), B("v"), ttlSeconds: 1000, cancellationToken: ct);
        await table.SetAsync(B("h"), B("forever"), B("v"), cancellationToken: ct);
        var after = PegasusEpoch.SecondsSinceEpoch(DateTimeOffset.UtcNow);

        var hashScan = await DrainAsync(await table.GetScannerAsync(B("h"), [], [], new ScanOptions { ReturnExpireTimestamp = true }, ct));
        var fullScan = await ScanAllAsync(table, new ScanOptions { ReturnExpireTimestamp = true });
        var plain = await ScanAllAsync(table);

        foreach (var records in new[] { hashScan, fullScan })
        {
            Assert.Equal(["forever", "leased"], records.Select(r => S(r.SortKey)));
            Assert.Equal(0u, records[0].ExpireTimestampSeconds);
            Assert.InRange(records[1].ExpireTimestampSeconds, before + 1000, after + 1000);
        }

        Assert.All(plain, record => Assert.Equal(0u, record.ExpireTimestampSeconds));
    }

    [Fact]
    public async Task HashScanAndMultiGet_BinaryKeys_OrderedByBytesWithinTheHashKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("scan_binary", partitionCount: 4);
        byte[] hashKey = [0x00, 0xFF];
        byte[][] sortKeys = [[], [0x00], [0x7F], [0xFF], [0xFF, 0xFF], [0xFF, 0xFF, 0xFF]];
        foreach (var sortKey in sortKeys)
        {
            await table.SetAsync(hashKey, sortKey, [.. sortKey, 0x01], cancellationToken: ct);
        }

        // Neighbours in storage order: a longer hash key with the same prefix, and the next one.
        await table.SetAsync([0x00, 0xFF, 0x00], [], B("neighbour"), cancellationToken: ct);
        await table.SetAsync([0x00, 0xFF, 0xFF], [0xFF], B("neighbour"), cancellationToken: ct);
        await table.SetAsync([0x01], [0x00], B("neighbour"), cancellationToken: ct);

        var scanned = await DrainAsync(await table.GetScannerAsync(hashKey, [], [], new ScanOptions { BatchSize = 2 }, ct));
        Assert.Equal(sortKeys, scanned.Select(r => r.SortKey));
        Assert.All(scanned, r => Assert.Equal([.. r.SortKey, (byte)0x01], r.Value));

        var tail = await DrainAsync(await table.GetScannerAsync(hashKey, [0xFF], [], new ScanOptions { StartInclusive = false }, ct));
        Assert.Equal(sortKeys[4..], tail.Select(r => r.SortKey));

        var range = await table.MultiGetRangeAsync(hashKey, [0x00], [0xFF, 0xFF], new MultiGetOptions { StopInclusive = true }, cancellationToken: ct);
        Assert.True(range.Complete);
        Assert.Equal(sortKeys[1..5], range.Values.Select(kv => kv.SortKey));

        var reversed = await table.MultiGetRangeAsync(hashKey, [], [], new MultiGetOptions { Reverse = true, MaxCount = 2 }, cancellationToken: ct);
        Assert.Equal(sortKeys[4..], reversed.Values.Select(kv => kv.SortKey));
        Assert.Equal(sortKeys.Length, await table.SortKeyCountAsync(hashKey, cancellationToken: ct));
    }

    [Fact]
    public async Task HashScan_StoppedEarly_ClearsItsContextAndAnotherScanWorks()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("scan_early_stop", partitionCount: 1);
        await table.MultiSetAsync(B("h"), Enumerable.Range(0, 50).Select(i => (B(Sk(i)), B("v"))), cancellationToken: ct);

        using var roundTrips = new ClientOperationCounter(table.Name);
        var seen = new List<string>();
        await using (var scanner = await table.GetScannerAsync(B("h"), [], [], new ScanOptions { BatchSize = 5 }, ct))
        {
            await foreach (var record in scanner.WithCancellation(ct))
            {
                seen.Add(S(record.SortKey));
                if (seen.Count == 12)
                {
                    break;
                }
            }
        }

        Assert.Equal(Keys(0, 11), seen);

        // Stopping early clears the server's context of the open scan.
        Assert.Equal(1, roundTrips.Count("ClearScanner"));
        var again = await DrainAsync(await table.GetScannerAsync(B("h"), [], [], new ScanOptions { BatchSize = 5 }, ct));
        Assert.Equal(Keys(0, 49), again.Select(record => S(record.SortKey)));

        // A scanner is enumerated once.
        var once = await table.GetScannerAsync(B("h"), [], [], cancellationToken: ct);
        await DrainAsync(once);
        Assert.Throws<InvalidOperationException>(() => once.GetAsyncEnumerator(ct));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(8, 8)]
    [InlineData(20, 8)]
    public async Task UnorderedScanners_ReturnEveryRecordExactlyOnce(int maxSplitCount, int expectedScanners)
    {
        var ct = TestContext.Current.CancellationToken;
        const int PartitionCount = 8;
        var table = await fixture.CreateTableAsync($"scan_full_{maxSplitCount}", partitionCount: PartitionCount);
        var expected = new Dictionary<string, string>();
        for (var h = 0; h < 100; h++)
        {
            var hashKey = $"user{h}";
            var values = Enumerable.Range(0, 5).Select(s => (SortKey: $"s{s}", Value: $"{hashKey}:{s}")).ToList();
            await table.MultiSetAsync(B(hashKey), values.Select(v => (B(v.SortKey), B(v.Value))), cancellationToken: ct);
            foreach (var (sortKey, value) in values)
            {
                expected[$"{hashKey}/{sortKey}"] = value;
            }
        }

        // Records with an empty hash key live in the partition of their sort key.
        for (var i = 0; i < 20; i++)
        {
            await table.SetAsync([], B($"nohash{i}"), B($"nohash{i}"), cancellationToken: ct);
            expected[$"/nohash{i}"] = $"nohash{i}";
        }

        Assert.Equal(520, expected.Count);

        var scanners = await table.GetUnorderedScannersAsync(maxSplitCount, new ScanOptions { BatchSize = 37 }, ct);
        Assert.Equal(expectedScanners, scanners.Count);
        Assert.All(scanners, scanner => Assert.True(scanner.IsFullScan));
        var covered = scanners.SelectMany(scanner => scanner.PartitionIndexes).Order().ToList();
        Assert.Equal(Enumerable.Range(0, PartitionCount), covered);

        // Scanners are meant to run in parallel; each opens a context on every partition it covers and pages.
        using var roundTrips = new ClientOperationCounter(table.Name);
        var perScanner = await Task.WhenAll(scanners.Select(DrainAsync));
        Assert.Equal(PartitionCount, roundTrips.Count("GetScanner"));
        Assert.InRange(roundTrips.Count("Scan"), PartitionCount, 520 / 37 + PartitionCount);
        var seen = new Dictionary<string, string>();
        var duplicates = new List<string>();
        for (var i = 0; i < scanners.Count; i++)
        {
            foreach (var record in perScanner[i])
            {
                var key = $"{S(record.HashKey)}/{S(record.SortKey)}";
                var partition = PartitionResolver.PartitionIndex(record.HashKey, record.SortKey, PartitionCount);
                Assert.Contains(partition, scanners[i].PartitionIndexes);
                if (!seen.TryAdd(key, S(record.Value)))
                {
                    duplicates.Add(key);
                }
            }
        }

        Assert.Empty(duplicates);
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), seen.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task UnorderedScanners_NoValueAndHashKeyFilter()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("scan_full_novalue", partitionCount: 8);
        var items = Enumerable.Range(0, 200).Select(i => (HashKey: B((i % 2 == 0 ? "even" : "odd") + i), SortKey: B("s"), Value: B($"v{i}"))).ToList();
        await table.BatchSetAsync(items, cancellationToken: ct);

        var keysOnly = await ScanAllAsync(table, new ScanOptions { NoValue = true, BatchSize = 16 });
        Assert.Equal(200, keysOnly.Count);
        Assert.All(keysOnly, record => Assert.Empty(record.Value));
        Assert.Equal(items.Select(i => S(i.HashKey)).Order(StringComparer.Ordinal), keysOnly.Select(r => S(r.HashKey)).Order(StringComparer.Ordinal));

        var odd = await ScanAllAsync(table, new ScanOptions { HashKeyFilterType = FilterType.MatchPrefix, HashKeyFilterPattern = B("odd"), BatchSize = 9 });
        Assert.Equal(100, odd.Count);
        Assert.All(odd, record => Assert.StartsWith("odd", S(record.HashKey), StringComparison.Ordinal));
        Assert.All(odd, record => Assert.Equal("v" + S(record.HashKey)[3..], S(record.Value)));
    }
}
