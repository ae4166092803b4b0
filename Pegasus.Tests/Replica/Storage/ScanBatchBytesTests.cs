using Pegasus.Protocol.Data;
using Pegasus.Replica.Storage;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>
/// <see cref="StorageOptions.MaxScanBatchBytes"/>: a scan batch ends once its keys and values reach the cap and the
/// scan continues through its context, so large records cannot make one response too large for the data stream.
/// </summary>
public sealed class ScanBatchBytesTests
{
    private const int Cap = 1000;

    // "hk" + "sNN" + 300 bytes = 305 bytes a record: the 4th record of a batch passes the cap.
    private static readonly string Value = new('x', 300);

    private static StoreTestContext WithRecords(int count)
    {
        var ctx = new StoreTestContext(configure: o => o.MaxScanBatchBytes = Cap);
        ctx.MultiSet("hk", Enumerable.Range(0, count).Select(i => ($"s{i:D2}", Value)));
        return ctx;
    }

    private static GetScannerRequest HashScan(int batchSize = 100) => new() { HashKey = B("hk"), StartInclusive = true, BatchSize = batchSize };

    [Fact]
    public void HashScan_BatchEndsAfterTheRecordThatReachesTheCap_AndContinues()
    {
        using var ctx = WithRecords(10);

        var batches = ScanTests.Drain(ctx, HashScan());

        Assert.Equal([4, 4, 2], batches.Select(b => b.Kvs.Count));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"s{i:D2}"), batches.SelectMany(b => b.Kvs).Select(kv => kv.SortKey.ToStringUtf8()));
        Assert.All(batches.SelectMany(b => b.Kvs), kv => Assert.Equal(Value, kv.Value.ToStringUtf8()));
    }

    [Fact]
    public void HashScan_RecordLargerThanTheCap_GoesAlone()
    {
        using var ctx = new StoreTestContext(configure: o => o.MaxScanBatchBytes = Cap);
        ctx.Set("hk", "s00", new string('h', 5 * Cap));
        ctx.MultiSet("hk", [("s01", "a"), ("s02", "b")]);

        var batches = ScanTests.Drain(ctx, HashScan());

        Assert.Equal([["s00"], ["s01", "s02"]], batches.Select(b => b.Kvs.Select(kv => kv.SortKey.ToStringUtf8()).ToArray()));
        Assert.Equal(5 * Cap, batches[0].Kvs[0].Value.Length);
    }

    [Fact]
    public void CountLimitStillApplies_BelowTheByteCap()
    {
        using var ctx = WithRecords(10);

        var batches = ScanTests.Drain(ctx, HashScan(batchSize: 3));

        Assert.Equal([3, 3, 3, 1], batches.Select(b => b.Kvs.Count));
    }

    [Fact]
    public void NoValue_OnlyKeysCount()
    {
        using var ctx = WithRecords(10);
        var request = HashScan();
        request.NoValue = true;

        var batch = Assert.Single(ScanTests.Drain(ctx, request));

        Assert.Equal(10, batch.Kvs.Count);
        Assert.All(batch.Kvs, kv => Assert.True(kv.Value.IsEmpty));
    }

    [Fact]
    public void FullScan_IsCappedToo()
    {
        using var ctx = WithRecords(10);

        var batches = ScanTests.Drain(ctx, new GetScannerRequest { FullScan = true, BatchSize = 100 });

        Assert.Equal([4, 4, 2], batches.Select(b => b.Kvs.Count));
    }

    [Fact]
    public void Options_DefaultIs4MiB_AndMustBePositive()
    {
        Assert.Equal(4L << 20, new StorageOptions().MaxScanBatchBytes);
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { MaxScanBatchBytes = 0 });
        Assert.True(result.Failed);
        Assert.Contains("MaxScanBatchBytes", result.FailureMessage, StringComparison.Ordinal);
    }
}
