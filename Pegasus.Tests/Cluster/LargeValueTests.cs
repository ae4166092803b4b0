using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Google.Protobuf;
using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Tests.Replica;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>
/// Large values on the shared data stream, against real processes: writes up to Pegasus's max_allowed_write_size
/// (1 MiB) work, larger ones get InvalidArgument from the client and from the server without breaking the stream
/// other requests share, and scans over large records page through byte-capped batches.
/// </summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class LargeValueTests(PegasusClusterFixture fixture)
{
    private const int WriteLimit = 1 << 20;

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static DataRequest RawSet(PegasusTable table, string sortKey, int valueLength) => new()
    {
        AppId = table.AppId,
        PartitionIndex = 0,
        Set = new SetRequest { HashKey = ByteString.CopyFromUtf8("h"), SortKey = ByteString.CopyFromUtf8(sortKey), Value = ByteString.CopyFrom(new byte[valueLength]) },
    };

    private static DataRequest RawGet(PegasusTable table, string sortKey) => new()
    {
        AppId = table.AppId,
        PartitionIndex = 0,
        Get = new GetRequest { HashKey = ByteString.CopyFromUtf8("h"), SortKey = ByteString.CopyFromUtf8(sortKey) },
    };

    [Fact]
    public async Task ValueJustUnderTheWriteLimit_RoundTrips()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("large_under_limit");

        // The limit counts the whole write (keys, value, TTL): the value leaves room for them.
        var value = RandomBytes(WriteLimit - 64);
        await table.SetAsync(B("h"), B("big"), value, ttlSeconds: 3600, cancellationToken: ct);
        await table.MultiSetAsync(B("h2"), [(B("big"), value)], cancellationToken: ct);

        Assert.Equal(value, await table.GetAsync(B("h"), B("big"), cancellationToken: ct));
        var multiGet = await table.MultiGetAsync(B("h2"), cancellationToken: ct);
        Assert.Equal(value, Assert.Single(multiGet.Values).Value);
        Assert.Equal(2, (await ScanAllAsync(table)).Count(record => record.Value.AsSpan().SequenceEqual(value)));
    }

    [Fact]
    public async Task ValueOverTheWriteLimit_InvalidArgumentFromTheClient_NothingWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("large_over_limit");
        var half = new byte[(WriteLimit / 2) + 1];

        var error = await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.SetAsync(B("h"), B("big"), new byte[WriteLimit], cancellationToken: ct));
        Assert.False(error.IsTransient);
        Assert.Contains("MaxAllowedWriteSize", error.Message, StringComparison.Ordinal);
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.MultiSetAsync(B("h"), [(B("a"), half), (B("b"), half)], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.BatchSetAsync([(B("h"), B("small"), B("v")), (B("h"), B("big"), new byte[WriteLimit])], cancellationToken: ct));

        Assert.Empty(await ScanAllAsync(table));
    }

    [Fact]
    public async Task RawWriteOverTheLimit_ServerAnswersInvalidArgument_AndTheSameStreamKeepsWorking()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("large_raw", partitionCount: 1);
        var primary = (await fixture.Client.Admin.GetTableAsync(table.Name, ct)).Partitions.Single().Primary!;
        await using var stream = new RawDataStream(primary);

        // 5 MiB is over gRPC's default 4 MB message limit too: the server must receive it to refuse it.
        var huge = await stream.SendAsync(RawSet(table, "huge", 5 << 20), ct);
        Assert.True(huge.Error == ErrorCode.InvalidArgument, $"{huge.Error}: {huge.ErrorMessage}");
        Assert.Contains("MaxAllowedWriteSize", huge.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, huge.Decree);

        var justOver = await stream.SendAsync(RawSet(table, "over", WriteLimit), ct);
        Assert.True(justOver.Error == ErrorCode.InvalidArgument, $"{justOver.Error}: {justOver.ErrorMessage}");

        // The same stream serves the next requests, also when an oversized write shares their batch.
        var next = await stream.SendAsync(RawSet(table, "small", 10), ct);
        Assert.True(next.Error == ErrorCode.Ok, $"{next.Error}: {next.ErrorMessage}");
        var mixed = await stream.SendBatchAsync([RawSet(table, "small2", 10), RawSet(table, "huge2", 2 << 20), RawGet(table, "small")], ct);
        Assert.Equal([ErrorCode.Ok, ErrorCode.InvalidArgument, ErrorCode.Ok], mixed.Select(r => r.Error));
        Assert.Equal(10, mixed[2].Get.Value.Length);

        foreach (var refused in new[] { "huge", "over", "huge2" })
        {
            var get = await stream.SendAsync(RawGet(table, refused), ct);
            Assert.True(get.Error == ErrorCode.NotFound, $"{refused}: {get.Error}");
        }

        Assert.Equal(["small", "small2"], (await ScanAllAsync(table)).Select(record => S(record.SortKey)).Order());
    }

    [Fact]
    public async Task OversizedWrites_DoNotDisturbConcurrentRequestsOnTheSameClient()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("large_concurrent", partitionCount: 1);

        // One client checks sizes itself; the other leaves it to the server, so its oversized writes travel on the
        // stream its normal requests use. One partition: every request of a client shares one stream.
        var serverChecked = await fixture.Cluster.CreateClient(o => o.MaxAllowedWriteSize = 0).OpenTableAsync(table.Name, ct);
        using var retries = new RetryCounter(table.Name);
        var oversized = new byte[2 * WriteLimit];

        async Task NormalAsync(PegasusTable target, int i)
        {
            var sortKey = B("k" + i.ToString(CultureInfo.InvariantCulture));
            await target.SetAsync(B("h"), sortKey, sortKey, cancellationToken: ct);
            Assert.Equal(sortKey, await target.GetAsync(B("h"), sortKey, cancellationToken: ct));
        }

        var normal = Enumerable.Range(0, 100).Select(i => NormalAsync(i % 2 == 0 ? table : serverChecked, i)).ToList();
        var refused = Enumerable.Range(0, 5).SelectMany(i => new[]
        {
            AssertErrorAsync(ErrorCode.InvalidArgument, () => table.SetAsync(B("h"), B($"big{i}"), oversized, cancellationToken: ct)),
            AssertErrorAsync(ErrorCode.InvalidArgument, () => serverChecked.SetAsync(B("h"), B($"big{i}"), oversized, cancellationToken: ct)),
        }).ToList();
        await Task.WhenAll(normal);
        var errors = await Task.WhenAll(refused);

        // The server's answers name its limit; a broken stream would have shown up as retries of the normal requests.
        Assert.Equal(5, errors.Count(e => e.Message.Contains("Replica:MaxAllowedWriteSize", StringComparison.Ordinal)));
        Assert.Equal(0, retries.Count);
        Assert.Equal(100, (await ScanAllAsync(table)).Count);
    }

    [Fact]
    public async Task HashScan_OverRecordsOf500KB_WithBatchSize100_ReturnsThemAll()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("large_scan", partitionCount: 2);
        const int Records = 24;
        var values = Enumerable.Range(0, Records).Select(_ => RandomBytes(500 * 1024)).ToArray();
        static byte[] SortKey(int i) => B("s" + i.ToString("D2", CultureInfo.InvariantCulture));
        await Task.WhenAll(Enumerable.Range(0, Records).Select(i => table.SetAsync(B("big"), SortKey(i), values[i], cancellationToken: ct)));

        var scanned = new List<PegasusRecord>();
        using (var roundTrips = new ClientOperationCounter(table.Name))
        {
            await using (var scanner = await table.GetScannerAsync(B("big"), [], [], new ScanOptions { BatchSize = 100 }, ct))
            {
                await foreach (var record in scanner.WithCancellation(ct))
                {
                    scanned.Add(record);
                }
            }

            // 12 MB of records in batches of at most ~4 MiB: the server split what one batch of 100 would hold.
            Assert.Equal(1, roundTrips.Count("GetScanner"));
            Assert.InRange(roundTrips.Count("Scan"), 2, Records - 1);
        }

        Assert.Equal(Enumerable.Range(0, Records).Select(i => S(SortKey(i))), scanned.Select(record => S(record.SortKey)));
        for (var i = 0; i < Records; i++)
        {
            Assert.Equal(values[i], scanned[i].Value);
        }
    }

    /// <summary>Counts the client's retries on one table (<c>pegasus.client.operation.retries</c>).</summary>
    private sealed class RetryCounter : IDisposable
    {
        private readonly ConcurrentBag<string> _reasons = [];
        private readonly MeterListener _listener = new();

        public RetryCounter(string table)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Pegasus.Client" && instrument.Name == "pegasus.client.operation.retries")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? tableTag = null;
                string? reason = null;
                foreach (var (key, value) in tags)
                {
                    if (key == "pegasus.table")
                    {
                        tableTag = value as string;
                    }
                    else if (key == "pegasus.reason")
                    {
                        reason = value as string;
                    }
                }

                if (tableTag == table)
                {
                    _reasons.Add(reason ?? "?");
                }
            });
            _listener.Start();
        }

        public int Count => _reasons.Count;

        public void Dispose() => _listener.Dispose();
    }
}
