using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Storage;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>Hash scans, full-partition scans and scan contexts, after Apache Pegasus's on_get_scanner / on_scan and base_api test_scan.</summary>
public sealed class ScanTests
{
    private static GetScannerRequest HashScan(string hashKey, string start = "", string stop = "", bool startInclusive = true, bool stopInclusive = false, int batchSize = 0)
        => new()
        {
            HashKey = B(hashKey),
            StartSortKey = B(start),
            StopSortKey = B(stop),
            StartInclusive = startInclusive,
            StopInclusive = stopInclusive,
            BatchSize = batchSize,
        };

    internal static DataResponse Open(StoreTestContext ctx, GetScannerRequest request) => ctx.Read(new DataRequest { GetScanner = request });

    internal static DataResponse Next(StoreTestContext ctx, long contextId) => ctx.Read(new DataRequest { Scan = new ScanRequest { ContextId = contextId } });

    /// <summary>Runs a scanner to completion, returning every batch.</summary>
    internal static List<ScanResponse> Drain(StoreTestContext ctx, GetScannerRequest request)
    {
        var response = Open(ctx, request);
        Assert.Equal(ErrorCode.Ok, response.Error);
        List<ScanResponse> batches = [response.Scan];
        while (response.Scan.ContextId != PartitionStore.ScanContextCompleted)
        {
            Assert.True(response.Scan.ContextId >= 0);
            response = Next(ctx, response.Scan.ContextId);
            Assert.Equal(ErrorCode.Ok, response.Error);
            batches.Add(response.Scan);
        }

        Assert.Equal(0, ctx.Store.OpenScanContextCount);
        return batches;
    }

    private static string[] SortKeys(IEnumerable<ScanResponse> batches)
        => batches.SelectMany(b => b.Kvs).Select(kv => kv.SortKey.ToStringUtf8()).ToArray();

    private static StoreTestContext WithRecords(int count, string hashKey = "hk")
    {
        var ctx = new StoreTestContext();
        ctx.MultiSet(hashKey, Enumerable.Range(0, count).Select(i => ($"s{i:D2}", $"v{i:D2}")));
        ctx.MultiSet(hashKey + "x", [("s00", "other")]);
        ctx.MultiSet("h", [("s00", "other")]);
        return ctx;
    }

    [Fact]
    public void HashScan_ReturnsTheHashKeyInBatches_WithContinuation()
    {
        using var ctx = WithRecords(25);
        var batches = Drain(ctx, HashScan("hk", batchSize: 10));
        Assert.Equal([10, 10, 5], batches.Select(b => b.Kvs.Count));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"s{i:D2}"), SortKeys(batches));
        var first = batches[0].Kvs[0];
        Assert.Equal("hk", first.HashKey.ToStringUtf8());
        Assert.Equal("v00", first.Value.ToStringUtf8());
        Assert.Equal(0u, first.ExpireTsSeconds);
    }

    [Fact]
    public void HashScan_EndingExactlyOnABatch_CompletesWithoutAnEmptyBatch()
    {
        using var ctx = WithRecords(20);
        var batches = Drain(ctx, HashScan("hk", batchSize: 10));
        Assert.Equal([10, 10], batches.Select(b => b.Kvs.Count));
    }

    [Fact]
    public void HashScan_ContextIdChangesEveryBatch_SoAnOldIdIsNotFound()
    {
        using var ctx = WithRecords(25);
        var first = Open(ctx, HashScan("hk", batchSize: 10)).Scan.ContextId;
        var second = Next(ctx, first);
        Assert.Equal(ErrorCode.Ok, second.Error);
        Assert.NotEqual(first, second.Scan.ContextId);
        var replay = Next(ctx, first);
        Assert.Equal(ErrorCode.NotFound, replay.Error);
        Assert.Contains("scan context", replay.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s05", "s10", true, true, 5, 10)]
    [InlineData("s05", "s10", false, true, 6, 10)]
    [InlineData("s05", "s10", true, false, 5, 9)]
    [InlineData("s05", "s10", false, false, 6, 9)]
    [InlineData("s05", "s05", true, true, 5, 5)]
    [InlineData("s05", "", false, true, 6, 24)]
    public void HashScan_RespectsBounds(string start, string stop, bool startInclusive, bool stopInclusive, int first, int last)
    {
        using var ctx = WithRecords(25);
        var batches = Drain(ctx, HashScan("hk", start, stop, startInclusive, stopInclusive, batchSize: 4));
        Assert.Equal(Enumerable.Range(first, last - first + 1).Select(i => $"s{i:D2}"), SortKeys(batches));
    }

    [Theory]
    [InlineData("s10", "s05", true, true)]
    [InlineData("s05", "s05", true, false)]
    [InlineData("s05", "s05", false, true)]
    public void HashScan_OverAnEmptyRange_CompletesImmediately(string start, string stop, bool startInclusive, bool stopInclusive)
    {
        using var ctx = WithRecords(25);
        var response = Open(ctx, HashScan("hk", start, stop, startInclusive, stopInclusive));
        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.Empty(response.Scan.Kvs);
        Assert.Equal(PartitionStore.ScanContextCompleted, response.Scan.ContextId);
    }

    [Fact]
    public void HashScan_SkipsExpiredRecords_AndAppliesFiltersAndOptions()
    {
        using var ctx = WithRecords(25);
        ctx.MultiSet("hk", [("s03", "ttl"), ("s04", "ttl")], ctx.Now + 100);
        ctx.MultiSet("hk", [("s05", "gone")], ctx.Now + 1);
        ctx.Time.Advance(TimeSpan.FromSeconds(1));

        var all = Drain(ctx, HashScan("hk", batchSize: 7));
        Assert.DoesNotContain("s05", SortKeys(all));
        Assert.Equal(24, SortKeys(all).Length);

        var request = HashScan("hk", batchSize: 3);
        request.SortKeyFilterType = FilterType.MatchPostfix;
        request.SortKeyFilterPattern = B("1");
        request.NoValue = true;
        request.ReturnExpireTs = true;
        var filtered = Drain(ctx, request);
        Assert.Equal(["s01", "s11", "s21"], SortKeys(filtered));
        Assert.All(filtered.SelectMany(b => b.Kvs), kv => Assert.True(kv.Value.IsEmpty));

        var withTtl = HashScan("hk", "s03", "s04", true, true);
        withTtl.ReturnExpireTs = true;
        Assert.All(Drain(ctx, withTtl).SelectMany(b => b.Kvs), kv => Assert.Equal(ctx.Now + 99, kv.ExpireTsSeconds));

        var prefix = HashScan("hk", batchSize: 2);
        prefix.SortKeyFilterType = FilterType.MatchPrefix;
        prefix.SortKeyFilterPattern = B("s1");
        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"s{i:D2}"), SortKeys(Drain(ctx, prefix)));
    }

    [Fact]
    public void OnlyReturnCount_ReturnsCountsPerBatch()
    {
        using var ctx = WithRecords(25);
        var request = HashScan("hk", batchSize: 10);
        request.OnlyReturnCount = true;
        var batches = Drain(ctx, request);
        Assert.Equal([10, 10, 5], batches.Select(b => b.KvCount));
        Assert.All(batches, b => Assert.Empty(b.Kvs));
    }

    [Fact]
    public void BatchSize_DefaultsAndIsCappedByTheIterationLimit()
    {
        using var ctx = WithRecords(25);
        ctx.Options.DefaultScanBatchSize = 3;
        ctx.Options.MaxIterationCount = 4;
        ctx.Reopen();
        Assert.Equal(3, Open(ctx, HashScan("hk")).Scan.Kvs.Count);
        Assert.Equal(4, Open(ctx, HashScan("hk", batchSize: 100)).Scan.Kvs.Count);
    }

    [Fact]
    public void ExpiredRecords_CountTowardTheIterationLimit_ButScanningContinues()
    {
        // Pegasus's scan_test: each batch examines at most MaxIterationCount records, so a batch
        // of expired records comes back empty with a context to continue.
        using var ctx = new StoreTestContext(configure: o => o.MaxIterationCount = 10);
        ctx.MultiSet("hk", Enumerable.Range(0, 30).Select(i => ($"1-{i:D2}", "v")), ctx.Now + 1);
        ctx.MultiSet("hk", Enumerable.Range(0, 5).Select(i => ($"2-{i:D2}", "v")));
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        var batches = Drain(ctx, HashScan("hk", batchSize: 100));
        Assert.Equal([0, 0, 0, 5], batches.Select(b => b.Kvs.Count));
    }

    [Fact]
    public void Scan_SeesTheViewOfWhenTheScannerOpened()
    {
        using var ctx = WithRecords(10);
        var first = Open(ctx, HashScan("hk", batchSize: 5));
        ctx.Delete("hk", "s07");
        ctx.Set("hk", "s08", "changed");
        ctx.Set("hk", "s99", "new");
        var rest = Next(ctx, first.Scan.ContextId);
        Assert.Equal(["s05", "s06", "s07", "s08", "s09"], rest.Scan.Kvs.Select(kv => kv.SortKey.ToStringUtf8()));
        Assert.Equal("v08", rest.Scan.Kvs[3].Value.ToStringUtf8());
    }

    [Theory]
    [InlineData(123456789L)]
    [InlineData(-2L)]
    [InlineData(-1L)]
    public void Scan_WithAnUnknownContext_IsNotFound(long contextId)
    {
        using var ctx = WithRecords(5);
        var response = Next(ctx, contextId);
        Assert.Equal(ErrorCode.NotFound, response.Error);
        Assert.False(string.IsNullOrEmpty(response.ErrorMessage));
    }

    [Fact]
    public void ClearScanner_FreesTheContext()
    {
        using var ctx = WithRecords(25);
        var id = Open(ctx, HashScan("hk", batchSize: 10)).Scan.ContextId;
        Assert.Equal(1, ctx.Store.OpenScanContextCount);
        Assert.Equal(ErrorCode.Ok, ctx.Read(new DataRequest { ClearScanner = new ClearScannerRequest { ContextId = id } }).Error);
        Assert.Equal(0, ctx.Store.OpenScanContextCount);
        Assert.Equal(ErrorCode.NotFound, Next(ctx, id).Error);
        Assert.Equal(ErrorCode.Ok, ctx.Read(new DataRequest { ClearScanner = new ClearScannerRequest { ContextId = id } }).Error);
    }

    [Fact]
    public void IdleContexts_TimeOutAndAreFreed()
    {
        using var ctx = new StoreTestContext(configure: o => o.ScanContextTimeout = TimeSpan.FromMinutes(1));
        ctx.MultiSet("hk", Enumerable.Range(0, 30).Select(i => ($"s{i:D2}", "v")));
        var stale = Open(ctx, HashScan("hk", batchSize: 10)).Scan.ContextId;
        var active = Open(ctx, HashScan("hk", batchSize: 10)).Scan.ContextId;

        ctx.Time.Advance(TimeSpan.FromSeconds(40));
        active = Next(ctx, active).Scan.ContextId;
        Assert.Equal(2, ctx.Store.OpenScanContextCount);

        // The reaper runs on the fake clock: the stale context goes, the renewed one stays.
        ctx.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, ctx.Store.OpenScanContextCount);
        Assert.Equal(ErrorCode.NotFound, Next(ctx, stale).Error);
        Assert.Equal(ErrorCode.Ok, Next(ctx, active).Error);
    }

    [Fact]
    public void TooManyContexts_EvictTheLeastRecentlyUsed()
    {
        using var ctx = new StoreTestContext(configure: o => o.MaxScanContexts = 2);
        ctx.MultiSet("hk", Enumerable.Range(0, 30).Select(i => ($"s{i:D2}", "v")));
        var oldest = Open(ctx, HashScan("hk", batchSize: 10)).Scan.ContextId;
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        var middle = Open(ctx, HashScan("hk", batchSize: 10)).Scan.ContextId;
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        var newest = Open(ctx, HashScan("hk", batchSize: 10)).Scan.ContextId;
        Assert.Equal(2, ctx.Store.OpenScanContextCount);
        Assert.Equal(ErrorCode.NotFound, Next(ctx, oldest).Error);
        Assert.Equal(ErrorCode.Ok, Next(ctx, middle).Error);
        Assert.Equal(ErrorCode.Ok, Next(ctx, newest).Error);
    }

    [Fact]
    public void IterationTimeThreshold_EndsTheScanWithIncomplete()
    {
        using var ctx = new StoreTestContext(configure: o => o.IterationThresholdTime = TimeSpan.FromSeconds(3),
            timeProvider: new SteppingTimeProvider(TimeSpan.FromSeconds(1)));
        ctx.MultiSet("hk", Enumerable.Range(0, 500).Select(i => ($"s{i:D3}", "v")));
        var response = Open(ctx, HashScan("hk", batchSize: 500));
        Assert.Equal(ErrorCode.Incomplete, response.Error);
        Assert.Equal(PartitionStore.ScanContextCompleted, response.Scan.ContextId);
        Assert.Equal(0, ctx.Store.OpenScanContextCount);
    }

    [Fact]
    public void InvalidFilterTypes_AreInvalidArgument()
    {
        using var ctx = WithRecords(5);
        var sortFilter = HashScan("hk");
        sortFilter.SortKeyFilterType = (FilterType)4;
        Assert.Equal(ErrorCode.InvalidArgument, Open(ctx, sortFilter).Error);
        var hashFilter = new GetScannerRequest { FullScan = true, HashKeyFilterType = (FilterType)(-1) };
        Assert.Equal(ErrorCode.InvalidArgument, Open(ctx, hashFilter).Error);
    }

}
