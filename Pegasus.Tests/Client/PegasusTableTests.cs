using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Time;

namespace Pegasus.Tests.Client;

/// <summary>Whole operations through routing, retries and the batching transport, against scripted replicas.</summary>
public sealed class PegasusTableTests
{
    private static readonly byte[] HashKey = "h"u8.ToArray();
    private static readonly byte[] SortKey = "s"u8.ToArray();

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static DataResponse Fail(ErrorCode error) => new() { Error = error, ErrorMessage = error.ToString() };

    [Fact]
    public async Task Set_RoutesByKeyAndTurnsTtlIntoExpireTimeOnClientClock()
    {
        var clock = new FakeTimeProvider(PegasusEpoch.Origin.AddSeconds(1_000));
        var seen = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r => { seen.Enqueue(r); return new DataResponse(); }, timeProvider: clock);
        await using var _ = client;
        clock.Advance(TimeSpan.FromSeconds(5));

        await table.SetAsync(HashKey, SortKey, B("v"), ttlSeconds: 60, cancellationToken: TestContext.Current.CancellationToken);

        var request = Assert.Single(seen);
        Assert.Equal(1_065u, request.Set.ExpireTsSeconds);
        Assert.Equal(7, request.AppId);
        Assert.Equal(PartitionResolver.PartitionIndex(HashKey, SortKey, 4), request.PartitionIndex);
    }

    [Fact]
    public async Task Get_FoundAndNotFound_AreResults()
    {
        var (client, table, _) = ClientTestSupport.FakeCluster(r => r.Get.SortKey.ToStringUtf8() == "there"
            ? new DataResponse { Get = new GetResponse { Value = ByteString.CopyFromUtf8("v") } }
            : Fail(ErrorCode.NotFound));
        await using var _ = client;
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal("v", Encoding.UTF8.GetString((await table.GetAsync(HashKey, B("there"), cancellationToken: ct))!));
        Assert.Null(await table.GetAsync(HashKey, B("absent"), cancellationToken: ct));
    }

    [Fact]
    public async Task Get_ObjectNotFound_RetriesUntilServed()
    {
        var attempts = 0;
        var (client, table, _) = ClientTestSupport.FakeCluster(r => Interlocked.Increment(ref attempts) < 3
            ? Fail(ErrorCode.ObjectNotFound)
            : new DataResponse { Get = new GetResponse { Value = ByteString.CopyFromUtf8("v") } });
        await using var _ = client;

        var value = await table.GetAsync(HashKey, SortKey, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("v", Encoding.UTF8.GetString(value!));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task Set_ServerError_IsTypedAndNotRetried()
    {
        var attempts = 0;
        var (client, table, _) = ClientTestSupport.FakeCluster(r => { Interlocked.Increment(ref attempts); return Fail(ErrorCode.AppNotExist); });
        await using var _ = client;

        var error = await Assert.ThrowsAsync<PegasusException>(() => table.SetAsync(HashKey, SortKey, SortKey, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.AppNotExist, error.Error);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Set_PartitionWithoutPrimary_TimesOutWithReason()
    {
        var (client, table, replicas) = ClientTestSupport.FakeCluster(r => new DataResponse(), withPrimaries: false);
        await using var _ = client;

        var error = await Assert.ThrowsAsync<PegasusException>(
            () => table.SetAsync(HashKey, SortKey, SortKey, timeout: TimeSpan.FromMilliseconds(200), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.Timeout, error.Error);
        Assert.Contains("has no primary", error.Message, StringComparison.Ordinal);
        Assert.Empty(replicas);
    }

    [Fact]
    public async Task CheckAndSet_FailedCheck_IsAResultWithTheCheckValue()
    {
        var (client, table, _) = ClientTestSupport.FakeCluster(r => new DataResponse
        {
            Error = ErrorCode.TryAgain,
            CheckAndSet = new CheckAndSetResponse { CheckValueReturned = true, CheckValueExist = true, CheckValue = ByteString.CopyFromUtf8("old") },
        });
        await using var _ = client;

        var result = await table.CheckAndSetAsync(
            HashKey, SortKey, CheckType.ValueNotExist, [], SortKey, B("new"), new CheckAndSetOptions { ReturnCheckValue = true },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal((false, true, true, "old"), (result.SetSucceed, result.CheckValueReturned, result.CheckValueExist, Encoding.UTF8.GetString(result.CheckValue!)));
    }

    [Fact]
    public async Task MultiGet_Incomplete_IsNotComplete()
    {
        var (client, table, _) = ClientTestSupport.FakeCluster(r => new DataResponse
        {
            Error = ErrorCode.Incomplete,
            MultiGet = new MultiGetResponse { Kvs = { new KeyValue { SortKey = ByteString.CopyFromUtf8("a"), Value = ByteString.CopyFromUtf8("1") } } },
        });
        await using var _ = client;

        var result = await table.MultiGetRangeAsync(HashKey, [], [], new MultiGetOptions { MaxCount = 1 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(result.Complete);
        Assert.Equal("a", Encoding.UTF8.GetString(Assert.Single(result.Values).SortKey));
    }

    [Fact]
    public async Task BatchGet_OneRequestPerPartition_ResultsInInputOrder()
    {
        var batches = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r =>
        {
            batches.Enqueue(r);
            var found = new BatchGetResponse();
            foreach (var key in r.BatchGet.Keys.Where(k => !k.SortKey.ToStringUtf8().StartsWith("missing", StringComparison.Ordinal)))
            {
                found.Data.Add(new FullData { HashKey = key.HashKey, SortKey = key.SortKey, Value = ByteString.CopyFromUtf8($"{key.HashKey.ToStringUtf8()}={key.SortKey.ToStringUtf8()}") });
            }

            return new DataResponse { BatchGet = found };
        }, partitionCount: 8);
        await using var _ = client;
        var keys = Enumerable.Range(0, 30).Select(i => (B($"hash{i}"), B(i % 5 == 0 ? $"missing{i}" : $"sort{i}"))).ToList();
        keys.Add(keys[1]);

        var results = await table.BatchGetAsync(keys, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(keys.Count, results.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            var expectFound = !Encoding.UTF8.GetString(keys[i].Item2).StartsWith("missing", StringComparison.Ordinal);
            Assert.Equal(expectFound, results[i].Found);
            Assert.Equal(keys[i].Item1, results[i].HashKey);
            if (expectFound)
            {
                Assert.Equal($"{Encoding.UTF8.GetString(keys[i].Item1)}={Encoding.UTF8.GetString(keys[i].Item2)}", Encoding.UTF8.GetString(results[i].Value!));
            }
        }

        var partitions = keys.Select(k => PartitionResolver.PartitionIndex(k.Item1, k.Item2, 8)).Distinct().Count();
        Assert.Equal(partitions, batches.Count);
        Assert.All(batches, b => Assert.All(b.BatchGet.Keys, k => Assert.Equal(b.PartitionIndex, PartitionResolver.PartitionIndex(k.HashKey.Span, k.SortKey.Span, 8))));
    }

    [Fact]
    public async Task HashScanner_PagesAndResumesAfterTheLastRecordWhenTheContextIsLost()
    {
        var requests = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r =>
        {
            requests.Enqueue(r);
            return r.OpCase switch
            {
                DataRequest.OpOneofCase.GetScanner when r.GetScanner.StartSortKey.IsEmpty => Page(5, "s0", "s1"),
                DataRequest.OpOneofCase.Scan => Fail(ErrorCode.NotFound),
                DataRequest.OpOneofCase.GetScanner => Page(-1, "s2"),
                _ => new DataResponse(),
            };
        });
        await using var _ = client;
        var ct = TestContext.Current.CancellationToken;

        var records = new List<string>();
        await using (var scanner = await table.GetScannerAsync(HashKey, [], [], new ScanOptions { BatchSize = 2 }, ct))
        {
            await foreach (var record in scanner.WithCancellation(ct))
            {
                records.Add($"{Encoding.UTF8.GetString(record.HashKey)}/{Encoding.UTF8.GetString(record.SortKey)}");
            }
        }

        Assert.Equal(["h/s0", "h/s1", "h/s2"], records);
        var resumed = requests.Where(r => r.OpCase == DataRequest.OpOneofCase.GetScanner).Last().GetScanner;
        Assert.Equal(("s1", false, 2, false), (resumed.StartSortKey.ToStringUtf8(), resumed.StartInclusive, resumed.BatchSize, resumed.FullScan));
        Assert.Equal(5, requests.Single(r => r.OpCase == DataRequest.OpOneofCase.Scan).Scan.ContextId);
        Assert.DoesNotContain(requests, r => r.OpCase == DataRequest.OpOneofCase.ClearScanner);
    }

    [Fact]
    public async Task UnorderedScanners_ScanEveryPartitionOnce()
    {
        var requests = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r =>
        {
            requests.Enqueue(r);
            return Page(-1, $"p{r.PartitionIndex}");
        }, partitionCount: 8);
        await using var _ = client;
        var ct = TestContext.Current.CancellationToken;

        var scanners = await table.GetUnorderedScannersAsync(3, cancellationToken: ct);
        var records = new List<string>();
        foreach (var scanner in scanners)
        {
            await using (scanner)
            {
                await foreach (var record in scanner.WithCancellation(ct))
                {
                    records.Add(Encoding.UTF8.GetString(record.SortKey));
                }
            }
        }

        Assert.Equal([3, 3, 2], scanners.Select(s => s.PartitionIndexes.Count));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"p{i}"), records.Order());
        Assert.All(requests, r => Assert.True(r.GetScanner.FullScan));
    }

    [Fact]
    public async Task Scanner_StoppedEarly_ClearsServerContext()
    {
        var requests = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r =>
        {
            requests.Enqueue(r);
            return r.OpCase == DataRequest.OpOneofCase.GetScanner ? Page(9, "a", "b") : new DataResponse();
        });
        await using var _ = client;
        var ct = TestContext.Current.CancellationToken;

        await using (var scanner = await table.GetScannerAsync(HashKey, [], [], cancellationToken: ct))
        {
            await foreach (var unused in scanner.WithCancellation(ct))
            {
                break;
            }
        }

        Assert.Equal(9, requests.Single(r => r.OpCase == DataRequest.OpOneofCase.ClearScanner).ClearScanner.ContextId);
    }

    [Fact]
    public async Task Operation_CarriesTheCallersTraceContext()
    {
        var seen = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r => { seen.Enqueue(r); return Fail(ErrorCode.NotFound); });
        await using var _ = client;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Pegasus.Client",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var parent = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        parent.TraceStateString = "k=v";

        await table.GetAsync(HashKey, SortKey, cancellationToken: TestContext.Current.CancellationToken);

        // The request carries the client operation's span, a child of the caller's.
        var request = Assert.Single(seen);
        Assert.StartsWith($"00-{parent.TraceId}-", request.Traceparent, StringComparison.Ordinal);
        Assert.DoesNotContain(parent.SpanId.ToHexString(), request.Traceparent, StringComparison.Ordinal);
        Assert.Equal("k=v", request.Tracestate);
    }

    private static DataResponse Page(long contextId, params string[] sortKeys)
    {
        var scan = new ScanResponse { ContextId = contextId };
        foreach (var sortKey in sortKeys)
        {
            scan.Kvs.Add(new ScanRecord { HashKey = ByteString.CopyFromUtf8("h"), SortKey = ByteString.CopyFromUtf8(sortKey), Value = ByteString.CopyFromUtf8("v") });
        }

        return new DataResponse { Scan = scan };
    }
}
