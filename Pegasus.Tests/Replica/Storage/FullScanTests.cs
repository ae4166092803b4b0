using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using static Pegasus.Tests.Replica.Storage.ScanTests;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>Full-partition scans (Pegasus's unordered scanners): partition-hash validation, hash-key filters, resumption.</summary>
public sealed class FullScanTests
{
    [Fact]
    public void FullScan_ReturnsExactlyThisPartitionsRecords()
    {
        // Write 200 hash keys through a one-partition store, then reopen the same data as
        // partition 0 of 4 (as after a split): a full scan must only return partition 0's keys.
        using var ctx = new StoreTestContext();
        var all = new List<(string HashKey, string SortKey)>();
        for (var i = 0; i < 200; i++)
        {
            ctx.MultiSet($"hash{i}", [("a", $"{i}"), ("b", $"{i}")]);
            all.Add(($"hash{i}", "a"));
            all.Add(($"hash{i}", "b"));
        }

        ctx.Set("", "sortonly", "x");
        all.Add(("", "sortonly"));
        ctx.Reopen(partitionCount: 4);

        var expected = all
            .Where(k => PartitionResolver.PartitionIndex(B(k.HashKey).Span, B(k.SortKey).Span, 4) == 0)
            .Order()
            .ToArray();
        Assert.InRange(expected.Length, 20, all.Count - 20);

        var batches = Drain(ctx, new GetScannerRequest { FullScan = true, BatchSize = 16 });
        var scanned = batches.SelectMany(b => b.Kvs).Select(kv => (kv.HashKey.ToStringUtf8(), kv.SortKey.ToStringUtf8())).ToArray();
        Assert.Equal(expected.Length, scanned.Length);
        Assert.Equal(expected, scanned.Order());
        Assert.True(batches.Count > 2);
    }

    [Fact]
    public void FullScan_IncludesTheEmptyKey_FiltersByHashKey_AndResumesAfterAKey()
    {
        using var ctx = new StoreTestContext();
        ctx.Set("", "", "empty");
        ctx.MultiSet("apple", [("1", "a1"), ("2", "a2")]);
        ctx.MultiSet("apricot", [("1", "p1")]);
        ctx.MultiSet("banana", [("1", "b1")]);

        var everything = SortKeysWithHashKeys(Drain(ctx, new GetScannerRequest { FullScan = true }));
        Assert.Equal(["/", "apple/1", "apple/2", "banana/1", "apricot/1"], everything);

        var prefix = new GetScannerRequest { FullScan = true, HashKeyFilterType = FilterType.MatchPrefix, HashKeyFilterPattern = B("ap") };
        Assert.Equal(["apple/1", "apple/2", "apricot/1"], SortKeysWithHashKeys(Drain(ctx, prefix)));

        var anywhere = new GetScannerRequest { FullScan = true, HashKeyFilterType = FilterType.MatchAnywhere, HashKeyFilterPattern = B("an") };
        Assert.Equal(["banana/1"], SortKeysWithHashKeys(Drain(ctx, anywhere)));

        // A client whose context was lost restarts after the last record it received.
        var resumed = new GetScannerRequest { FullScan = true, HashKey = B("apple"), StartSortKey = B("1"), StartInclusive = false };
        Assert.Equal(["apple/2", "banana/1", "apricot/1"], SortKeysWithHashKeys(Drain(ctx, resumed)));
    }

    private static string[] SortKeysWithHashKeys(IEnumerable<ScanResponse> batches)
        => batches.SelectMany(b => b.Kvs).Select(kv => $"{kv.HashKey.ToStringUtf8()}/{kv.SortKey.ToStringUtf8()}").ToArray();
}
