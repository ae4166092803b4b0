using Google.Protobuf;
using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Keys;
using Pegasus.Tests.Replica;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>Bad input gets a typed error and changes nothing, through the client and on the wire.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class BadInputTests(PegasusClusterFixture fixture)
{
    [Fact]
    public async Task OpenTable_EmptyOrUnknownName_TypedErrors()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = fixture.Client;

        await AssertErrorAsync(ErrorCode.InvalidParameters, () => client.OpenTableAsync("", ct));
        await AssertErrorAsync(ErrorCode.InvalidParameters, () => client.OpenTableAsync("   ", ct));
        var unknown = await AssertErrorAsync(ErrorCode.AppNotExist, () => client.OpenTableAsync(PegasusClusterFixture.UniqueTableName("never_created"), ct));
        Assert.False(unknown.IsTransient);
    }

    [Fact]
    public async Task HashKeyOver64KiB_InvalidHashKey_NothingWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("bad_long_hashkey", partitionCount: 4);
        var tooLong = new byte[KeyLimits.MaxHashKeyLength + 1];
        tooLong.AsSpan().Fill((byte)'x');
        var longest = tooLong[..KeyLimits.MaxHashKeyLength];

        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.SetAsync(tooLong, B("s"), B("v"), cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.GetAsync(tooLong, B("s"), cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.ExistAsync(tooLong, B("s"), cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.IncrAsync(tooLong, B("s"), 1, cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.MultiSetAsync(tooLong, [(B("s"), B("v"))], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidHashKey, () => table.CheckAndSetAsync(tooLong, B("s"), CheckType.NoCheck, [], B("s"), B("v"), cancellationToken: ct));
        Assert.Empty(await ScanAllAsync(table));

        // The server refuses it too, when a request skips the client's checks.
        var partition = PartitionResolver.PartitionIndex(tooLong, [], table.PartitionCount);
        var info = await fixture.Client.Admin.GetTableAsync(table.Name, ct);
        var primary = info.Partitions.Single(p => p.PartitionIndex == partition).Primary!;
        await using (var stream = new RawDataStream(primary))
        {
            var response = await stream.SendAsync(
                new DataRequest
                {
                    AppId = table.AppId,
                    PartitionIndex = partition,
                    Set = new SetRequest { HashKey = ByteString.CopyFrom(tooLong), SortKey = ByteString.CopyFromUtf8("s"), Value = ByteString.CopyFromUtf8("v") },
                },
                ct);
            Assert.True(response.Error == ErrorCode.InvalidHashKey, $"{response}");
        }

        Assert.Empty(await ScanAllAsync(table));

        // The longest valid hash key works.
        await table.SetAsync(longest, B("s"), B("v"), cancellationToken: ct);
        Assert.Equal("v", S(await table.GetAsync(longest, B("s"), cancellationToken: ct)));
        var records = await ScanAllAsync(table);
        Assert.Equal(longest, Assert.Single(records).HashKey);
    }

    [Fact]
    public async Task RawRequestsSkippingClientChecks_SameCodeAsTheClient_NothingWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("bad_raw_requests", partitionCount: 1);
        var primary = (await fixture.Client.Admin.GetTableAsync(table.Name, ct)).Partitions.Single().Primary!;
        var h = ByteString.CopyFromUtf8("h");
        var s = ByteString.CopyFromUtf8("s");
        var v = ByteString.CopyFromUtf8("v");
        byte[] hk = B("h"), sk = B("s"), value = B("v");

        // Each bad input as a raw request and as the client call that would send it: both answer the same code.
        (ErrorCode Expected, DataRequest Raw, Func<Task>? Client)[] cases =
        [
            (ErrorCode.InvalidArgument,
                new() { CheckAndMutate = new CheckAndMutateRequest { HashKey = h, CheckSortKey = s, CheckType = CheckType.NoCheck } },
                () => table.CheckAndMutateAsync(hk, sk, CheckType.NoCheck, [], new Mutations(), cancellationToken: ct)),
            (ErrorCode.InvalidArgument,
                new() { CheckAndMutate = new CheckAndMutateRequest { HashKey = h, CheckSortKey = s, CheckType = (CheckType)99, MutateList = { new Mutate { SortKey = s, Value = v } } } },
                () => table.CheckAndMutateAsync(hk, sk, (CheckType)99, [], new Mutations().Set(sk, value), cancellationToken: ct)),
            (ErrorCode.InvalidArgument,
                new() { CheckAndSet = new CheckAndSetRequest { HashKey = h, CheckSortKey = s, CheckType = (CheckType)99, SetValue = v } },
                () => table.CheckAndSetAsync(hk, sk, (CheckType)99, [], sk, value, cancellationToken: ct)),
            (ErrorCode.InvalidHashKey,
                new() { CheckAndSet = new CheckAndSetRequest { HashKey = ByteString.Empty, CheckSortKey = s, CheckType = CheckType.NoCheck, SetValue = v } },
                () => table.CheckAndSetAsync([], sk, CheckType.NoCheck, [], sk, value, cancellationToken: ct)),
            (ErrorCode.InvalidValue,
                new() { MultiSet = new MultiSetRequest { HashKey = h } },
                () => table.MultiSetAsync(hk, [], cancellationToken: ct)),
            (ErrorCode.InvalidHashKey,
                new() { MultiSet = new MultiSetRequest { HashKey = ByteString.Empty, Kvs = { new KeyValue { SortKey = s, Value = v } } } },
                () => table.MultiSetAsync([], [(sk, value)], cancellationToken: ct)),
            (ErrorCode.InvalidValue,
                new() { MultiDelete = new MultiDeleteRequest { HashKey = h } },
                () => table.MultiDeleteAsync(hk, [], cancellationToken: ct)),
            (ErrorCode.InvalidHashKey,
                new() { MultiDelete = new MultiDeleteRequest { HashKey = ByteString.Empty, SortKeys = { s } } },
                () => table.MultiDeleteAsync([], [sk], cancellationToken: ct)),
            (ErrorCode.InvalidArgument,
                new() { MultiGet = new MultiGetRequest { HashKey = h, SortKeyFilterType = (FilterType)42 } },
                () => table.MultiGetRangeAsync(hk, [], [], new MultiGetOptions { SortKeyFilterType = (FilterType)42 }, cancellationToken: ct)),
            (ErrorCode.InvalidHashKey,
                new() { MultiGet = new MultiGetRequest { SortKeys = { s } } },
                () => table.MultiGetAsync([], [sk], cancellationToken: ct)),
            (ErrorCode.InvalidHashKey,
                new() { SortKeyCount = new SortKeyCountRequest() },
                () => table.SortKeyCountAsync([], cancellationToken: ct)),
            (ErrorCode.InvalidArgument,
                new() { GetScanner = new GetScannerRequest { HashKey = h, HashKeyFilterType = (FilterType)42 } },
                async () => await table.GetScannerAsync(hk, [], [], new ScanOptions { HashKeyFilterType = (FilterType)42 }, ct)),
            (ErrorCode.InvalidHashKey,
                new() { GetScanner = new GetScannerRequest() },
                async () => await table.GetScannerAsync([], [], [], cancellationToken: ct)),
            (ErrorCode.InvalidArgument,
                new() { BatchGet = new BatchGetRequest() },
                () => table.BatchGetAsync([], cancellationToken: ct)),
            (ErrorCode.InvalidArgument, new() { }, null),
        ];

        await using var stream = new RawDataStream(primary);
        foreach (var (expected, raw, client) in cases)
        {
            raw.AppId = table.AppId;
            raw.PartitionIndex = 0;
            var response = await stream.SendAsync(raw, ct);
            Assert.True(response.Error == expected, $"{raw} answered {response}, not {expected}");
            if (client is not null)
            {
                var refused = await AssertErrorAsync(expected, client);
                Assert.Null(refused.Response);
            }
        }

        // Client-only checks (the wire carries no split count, and expire times rather than TTLs).
        await AssertErrorAsync(ErrorCode.InvalidSplitCount, () => table.GetUnorderedScannersAsync(0, cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidSplitCount, () => table.GetUnorderedScannersAsync(-3, cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.SetAsync(hk, sk, value, ttlSeconds: -1, cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.MultiSetAsync(hk, [(sk, value)], ttlSeconds: -1, cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.IncrAsync(hk, sk, 1, ttlSeconds: -2, cancellationToken: ct));

        Assert.Empty(await ScanAllAsync(table));
    }

    [Fact]
    public async Task CreateTable_InvalidParameters_NoTableCreated()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = fixture.Client.Admin;
        var name = PegasusClusterFixture.UniqueTableName("bad_create");

        foreach (var partitionCount in new[] { 3, 6, 0, -4 })
        {
            await AssertErrorAsync(ErrorCode.InvalidParameters, () => admin.CreateTableAsync(name, partitionCount, replicaCount: 1, ct));
        }

        await AssertErrorAsync(ErrorCode.InvalidParameters, () => admin.CreateTableAsync(name, 4, replicaCount: 0, ct));
        await AssertErrorAsync(ErrorCode.InvalidParameters, () => admin.CreateTableAsync(name, 4, replicaCount: 6, ct));
        await AssertErrorAsync(ErrorCode.InvalidParameters, () => admin.CreateTableAsync("bad name!", 4, replicaCount: 1, ct));
        await AssertErrorAsync(ErrorCode.InvalidParameters, () => admin.CreateTableAsync("", 4, replicaCount: 1, ct));

        await AssertErrorAsync(ErrorCode.AppNotExist, () => admin.GetTableAsync(name, ct));
        Assert.DoesNotContain(await admin.ListTablesAsync(ct), table => table.Name == name || table.Name == "bad name!");
        await AssertErrorAsync(ErrorCode.AppNotExist, () => fixture.Client.OpenTableAsync(name, ct));
    }

    [Fact]
    public async Task CreateTable_Duplicate_AppExistAndTheTableKeepsItsData()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("bad_duplicate", partitionCount: 2);
        await table.SetAsync(B("h"), B("s"), B("kept"), cancellationToken: ct);
        var before = await fixture.Client.Admin.GetTableAsync(table.Name, ct);

        await AssertErrorAsync(ErrorCode.AppExist, () => fixture.Client.Admin.CreateTableAsync(table.Name, 2, replicaCount: 1, ct));
        await AssertErrorAsync(ErrorCode.AppExist, () => fixture.Client.Admin.CreateTableAsync(table.Name, 8, replicaCount: 1, ct));

        var after = await fixture.Client.Admin.GetTableAsync(table.Name, ct);
        Assert.Equal(before.AppId, after.AppId);
        Assert.Equal(2, after.PartitionCount);
        var reopened = await fixture.Client.OpenTableAsync(table.Name, ct);
        Assert.Equal(before.AppId, reopened.AppId);
        Assert.Equal("kept", S(await reopened.GetAsync(B("h"), B("s"), cancellationToken: ct)));
    }

    [Fact]
    public async Task DropTable_ThenOpen_AppNotExist()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("bad_dropped", partitionCount: 2);
        await table.SetAsync(B("h"), B("s"), B("v"), cancellationToken: ct);

        await fixture.Client.Admin.DropTableAsync(table.Name, ct);

        await AssertErrorAsync(ErrorCode.AppNotExist, () => fixture.Client.OpenTableAsync(table.Name, ct));
        await AssertErrorAsync(ErrorCode.AppNotExist, () => fixture.Client.Admin.DropTableAsync(table.Name, ct));
        await AssertErrorAsync(ErrorCode.AppNotExist, () => fixture.Client.Admin.DropTableAsync(PegasusClusterFixture.UniqueTableName("never_created"), ct));
    }

    [Fact]
    public async Task Scan_BogusContextId_NotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("bad_scan_context", partitionCount: 1);
        await table.SetAsync(B("h"), B("s"), B("v"), cancellationToken: ct);
        await table.SetAsync(B("h"), B("t"), B("w"), cancellationToken: ct);
        var primary = (await fixture.Client.Admin.GetTableAsync(table.Name, ct)).Partitions.Single().Primary!;

        await using var stream = new RawDataStream(primary);

        // A real context, open while the bogus ones arrive: they must not disturb it.
        var opened = await stream.SendAsync(
            new DataRequest { AppId = table.AppId, PartitionIndex = 0, GetScanner = new GetScannerRequest { HashKey = ByteString.CopyFromUtf8("h"), StartInclusive = true, BatchSize = 1 } },
            ct);
        Assert.True(opened.Error == ErrorCode.Ok, $"{opened}");
        Assert.Equal("v", Assert.Single(opened.Scan.Kvs).Value.ToStringUtf8());
        Assert.True(opened.Scan.ContextId >= 0, $"{opened}");

        var bogus = await stream.SendAsync(new DataRequest { AppId = table.AppId, PartitionIndex = 0, Scan = new ScanRequest { ContextId = 987_654_321 } }, ct);
        Assert.True(bogus.Error == ErrorCode.NotFound, $"{bogus}");
        Assert.Empty(bogus.Scan?.Kvs ?? []);

        var negative = await stream.SendAsync(new DataRequest { AppId = table.AppId, PartitionIndex = 0, Scan = new ScanRequest { ContextId = -5 } }, ct);
        Assert.True(negative.Error == ErrorCode.NotFound, $"{negative}");

        // The real context still pages to the end, and a completed one is gone.
        var rest = new List<string>();
        var contextId = opened.Scan.ContextId;
        var used = new List<long>();
        while (contextId >= 0)
        {
            Assert.True(used.Count < 10, $"the scan did not complete: contexts {string.Join(", ", used)}");
            used.Add(contextId);
            var next = await stream.SendAsync(new DataRequest { AppId = table.AppId, PartitionIndex = 0, Scan = new ScanRequest { ContextId = contextId } }, ct);
            Assert.True(next.Error == ErrorCode.Ok, $"{next}");
            rest.AddRange(next.Scan.Kvs.Select(kv => kv.Value.ToStringUtf8()));
            contextId = next.Scan.ContextId;
        }

        Assert.Equal(["w"], rest);
        var completed = await stream.SendAsync(new DataRequest { AppId = table.AppId, PartitionIndex = 0, Scan = new ScanRequest { ContextId = used[0] } }, ct);
        Assert.True(completed.Error == ErrorCode.NotFound, $"{completed}");
        Assert.Equal(2, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));
    }
}
