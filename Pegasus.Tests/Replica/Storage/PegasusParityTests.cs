using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Keys;
using RocksDbSharp;
using static Pegasus.Tests.Replica.Storage.ScanTests;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>Edge cases found by auditing the storage engine against Apache Pegasus's server.</summary>
public sealed class PegasusParityTests
{
    [Fact]
    public void Ttl_OfAFarFutureExpireTime_IsClampedInsteadOfWrappingNegative()
    {
        // The remaining seconds of expire time uint.MaxValue do not fit an int32; a wrapped
        // (negative) answer would read as "no TTL" (-1) or nonsense.
        using var ctx = new StoreTestContext();
        ctx.Set("hk", "far", "v", uint.MaxValue);
        ctx.Set("hk", "near", "v", ctx.Now + int.MaxValue);

        Assert.Equal(int.MaxValue, ctx.Ttl("hk", "far").Ttl.TtlSeconds);
        Assert.Equal(int.MaxValue, ctx.Ttl("hk", "near").Ttl.TtlSeconds);
    }

    [Fact]
    public void GetScanner_FirstBatch_ExaminesUpToTheIterationLimit_LikePegasusOnGetScanner()
    {
        // Pegasus's on_get_scanner bounds the first batch by rocksdb_max_iteration_count
        // records examined (on_scan then by the batch size), so a sparse filter still fills the
        // first batch instead of answering an empty one.
        using var ctx = new StoreTestContext();
        ctx.MultiSet("hk", Enumerable.Range(0, 40).Select(i => ($"s{i:D2}", "v")));
        var request = new GetScannerRequest
        {
            HashKey = B("hk"),
            StartInclusive = true,
            BatchSize = 2,
            SortKeyFilterType = FilterType.MatchPostfix,
            SortKeyFilterPattern = B("5"),
        };

        var first = Open(ctx, request);
        Assert.Equal(ErrorCode.Ok, first.Error);
        Assert.Equal(["s05", "s15"], first.Scan.Kvs.Select(kv => kv.SortKey.ToStringUtf8()));
        Assert.True(first.Scan.ContextId >= 0);

        // Later batches examine at most the batch size, as Pegasus's on_scan does.
        var second = Next(ctx, first.Scan.ContextId);
        Assert.Empty(second.Scan.Kvs);
    }

    [Fact]
    public void StoredValue_ShorterThanTheHeader_ReadsAsAnEmptyValueWithoutTtl()
    {
        // Pegasus asserts on such a value; we never write one, but a foreign or damaged record
        // must not break reads, scans, incr or checks.
        using var ctx = new StoreTestContext();
        ctx.Set("hk", "normal", "v");
        ctx.Store.Dispose();
        WriteRaw(ctx, [(StorageKey.Encode("hk"u8, "short"u8), [0x01, 0x02]), (StorageKey.Encode("hk"u8, "zero"u8), [])]);
        ctx.Reopen();

        Assert.Equal("", ctx.Value("hk", "short"));
        Assert.Equal("", ctx.Value("hk", "zero"));
        Assert.True(ctx.Exists("hk", "short"));
        Assert.Equal(-1, ctx.Ttl("hk", "short").Ttl.TtlSeconds);
        Assert.Equal(3, ctx.SortKeyCount("hk"));

        var multiGet = ctx.Read(new DataRequest { MultiGet = new MultiGetRequest { HashKey = B("hk"), StartInclusive = true } });
        Assert.Equal(ErrorCode.Ok, multiGet.Error);
        Assert.Equal(["normal", "short", "zero"], multiGet.MultiGet.Kvs.Select(kv => kv.SortKey.ToStringUtf8()));
        Assert.Equal(["v", "", ""], multiGet.MultiGet.Kvs.Select(kv => kv.Value.ToStringUtf8()));

        var scan = Drain(ctx, new GetScannerRequest { HashKey = B("hk"), StartInclusive = true, ReturnExpireTs = true });
        Assert.Equal([0u, 0u, 0u], scan.SelectMany(b => b.Kvs).Select(kv => kv.ExpireTsSeconds));

        var check = ctx.Write(new DataRequest
        {
            CheckAndSet = new CheckAndSetRequest
            {
                HashKey = B("hk"), CheckSortKey = B("short"), CheckType = CheckType.ValueNotExistOrEmpty, SetValue = B("set"), ReturnCheckValue = true,
            },
        });
        Assert.Equal(ErrorCode.Ok, check.Error);
        Assert.True(check.CheckAndSet.CheckValueExist);
        Assert.True(check.CheckAndSet.CheckValue.IsEmpty);

        var incr = ctx.Write(new DataRequest { Incr = new IncrRequest { HashKey = B("hk"), SortKey = B("zero"), Increment = 7 } });
        Assert.Equal(ErrorCode.Ok, incr.Error);
        Assert.Equal(7, incr.Incr.NewValue);
        Assert.Equal(-1, ctx.Ttl("hk", "zero").Ttl.TtlSeconds);

        // Compaction keeps them (no expire time).
        ctx.Store.CompactData();
        Assert.Equal(3, ctx.SortKeyCount("hk"));
    }

    private static void WriteRaw(StoreTestContext ctx, IEnumerable<(byte[] Key, byte[] Value)> records)
    {
        var families = new ColumnFamilies { { "meta", new ColumnFamilyOptions() } };
        using var db = RocksDb.Open(new DbOptions(), ctx.Directory, families);
        foreach (var (key, value) in records)
        {
            db.Put(key, value, db.GetDefaultColumnFamily());
        }
    }
}
