using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Keys;

namespace Pegasus.Tests.Client;

/// <summary>Invalid arguments fail with typed errors before anything is sent (every server is unreachable here).</summary>
public sealed class ClientValidationTests
{
    private static readonly byte[] Key = "k"u8.ToArray();
    private static readonly byte[] Empty = [];
    private static readonly byte[] TooLongHashKey = new byte[KeyLimits.MaxHashKeyLength + 1];

    private static readonly Dictionary<string, Func<PegasusTable, CancellationToken, Task>> InvalidCalls = new()
    {
        ["Set.TooLongHashKey"] = (t, ct) => t.SetAsync(TooLongHashKey, Key, Key, cancellationToken: ct),
        ["Set.NegativeTtl"] = (t, ct) => t.SetAsync(Key, Key, Key, ttlSeconds: -1, cancellationToken: ct),
        ["Set.ZeroTimeout"] = (t, ct) => t.SetAsync(Key, Key, Key, timeout: TimeSpan.Zero, cancellationToken: ct),
        ["Get.TooLongHashKey"] = (t, ct) => t.GetAsync(TooLongHashKey, Key, cancellationToken: ct),
        ["Delete.TooLongHashKey"] = (t, ct) => t.DeleteAsync(TooLongHashKey, Key, cancellationToken: ct),
        ["Exist.TooLongHashKey"] = (t, ct) => t.ExistAsync(TooLongHashKey, Key, cancellationToken: ct),
        ["Ttl.TooLongHashKey"] = (t, ct) => t.TtlAsync(TooLongHashKey, Key, cancellationToken: ct),
        ["Incr.TooLongHashKey"] = (t, ct) => t.IncrAsync(TooLongHashKey, Key, 1, cancellationToken: ct),
        ["Incr.TtlBelowMinusOne"] = (t, ct) => t.IncrAsync(Key, Key, 1, ttlSeconds: -2, cancellationToken: ct),
        ["MultiSet.EmptyHashKey"] = (t, ct) => t.MultiSetAsync(Empty, [(Key, Key)], cancellationToken: ct),
        ["MultiSet.TooLongHashKey"] = (t, ct) => t.MultiSetAsync(TooLongHashKey, [(Key, Key)], cancellationToken: ct),
        ["MultiSet.NoValues"] = (t, ct) => t.MultiSetAsync(Key, [], cancellationToken: ct),
        ["MultiSet.NegativeTtl"] = (t, ct) => t.MultiSetAsync(Key, [(Key, Key)], ttlSeconds: -5, cancellationToken: ct),
        ["MultiGet.EmptyHashKey"] = (t, ct) => t.MultiGetAsync(Empty, [Key], cancellationToken: ct),
        ["MultiGet.UnknownFilter"] = (t, ct) => t.MultiGetAsync(Key, null, new MultiGetOptions { SortKeyFilterType = (FilterType)42 }, cancellationToken: ct),
        ["MultiGetRange.EmptyHashKey"] = (t, ct) => t.MultiGetRangeAsync(Empty, Empty, Empty, cancellationToken: ct),
        ["MultiDelete.EmptyHashKey"] = (t, ct) => t.MultiDeleteAsync(Empty, [Key], cancellationToken: ct),
        ["MultiDelete.NoSortKeys"] = (t, ct) => t.MultiDeleteAsync(Key, [], cancellationToken: ct),
        ["SortKeyCount.EmptyHashKey"] = (t, ct) => t.SortKeyCountAsync(Empty, cancellationToken: ct),
        ["CheckAndSet.EmptyHashKey"] = (t, ct) => t.CheckAndSetAsync(Empty, Key, CheckType.ValueNotExist, Empty, Key, Key, cancellationToken: ct),
        ["CheckAndSet.UnknownCheckType"] = (t, ct) => t.CheckAndSetAsync(Key, Key, (CheckType)99, Empty, Key, Key, cancellationToken: ct),
        ["CheckAndSet.NegativeTtl"] = (t, ct) => t.CheckAndSetAsync(
            Key, Key, CheckType.ValueNotExist, Empty, Key, Key, new CheckAndSetOptions { SetValueTtlSeconds = -1 }, cancellationToken: ct),
        ["CheckAndMutate.NoMutations"] = (t, ct) => t.CheckAndMutateAsync(Key, Key, CheckType.ValueExist, Empty, new Mutations(), cancellationToken: ct),
        ["CheckAndMutate.NegativeTtl"] = (t, ct) => t.CheckAndMutateAsync(
            Key, Key, CheckType.ValueExist, Empty, new Mutations().Set(Key, Key, ttlSeconds: -3), cancellationToken: ct),
        ["CheckAndMutate.TooLongHashKey"] = (t, ct) => t.CheckAndMutateAsync(
            TooLongHashKey, Key, CheckType.ValueExist, Empty, new Mutations().Delete(Key), cancellationToken: ct),
        ["BatchGet.TooLongHashKey"] = (t, ct) => t.BatchGetAsync([(Key, Key), (TooLongHashKey, Key)], cancellationToken: ct),
        ["BatchSet.NegativeTtl"] = (t, ct) => t.BatchSetAsync([(Key, Key, Key)], ttlSeconds: -1, cancellationToken: ct),
        ["BatchDelete.TooLongHashKey"] = (t, ct) => t.BatchDeleteAsync([(TooLongHashKey, Key)], cancellationToken: ct),
        ["GetScanner.EmptyHashKey"] = (t, ct) => t.GetScannerAsync(Empty, Empty, Empty, cancellationToken: ct),
        ["GetScanner.ZeroBatchSize"] = (t, ct) => t.GetScannerAsync(Key, Empty, Empty, new ScanOptions { BatchSize = 0 }, ct),
        ["GetUnorderedScanners.ZeroSplits"] = (t, ct) => t.GetUnorderedScannersAsync(0, cancellationToken: ct),
        ["GetUnorderedScanners.NegativeSplits"] = (t, ct) => t.GetUnorderedScannersAsync(-1, cancellationToken: ct),
        ["BatchGet.NoKeys"] = (t, ct) => t.BatchGetAsync([], cancellationToken: ct),
        ["BatchGetEach.NoKeys"] = (t, ct) => t.BatchGetEachAsync([], cancellationToken: ct),
        ["BatchDelete.NoKeys"] = (t, ct) => t.BatchDeleteAsync([], cancellationToken: ct),
        ["BatchMultiGet.NoKeys"] = (t, ct) => t.BatchMultiGetAsync([], cancellationToken: ct),
        ["BatchMultiGetEach.NoKeys"] = (t, ct) => t.BatchMultiGetEachAsync([], cancellationToken: ct),
        ["BatchMultiSet.NoItems"] = (t, ct) => t.BatchMultiSetAsync([], cancellationToken: ct),
        ["BatchMultiDelete.NoKeys"] = (t, ct) => t.BatchMultiDeleteAsync([], cancellationToken: ct),
        ["BatchMultiSet.NegativeTtl"] = (t, ct) => t.BatchMultiSetAsync([(Key, [(Key, Key)])], ttlSeconds: -1, cancellationToken: ct),
        ["BatchMultiSetEach.NegativeTtl"] = (t, ct) => t.BatchMultiSetEachAsync([(Key, [(Key, Key)])], ttlSeconds: -1, cancellationToken: ct),
        ["DeleteRange.EmptyHashKey"] = (t, ct) => t.DeleteRangeAsync(Empty, Empty, Empty, cancellationToken: ct),
        ["DeleteRange.UnknownFilter"] = (t, ct) => t.DeleteRangeAsync(Key, Empty, Empty, new DeleteRangeOptions { SortKeyFilterType = (FilterType)42 }, cancellationToken: ct),
        ["MultiGetSortKeys.EmptyHashKey"] = (t, ct) => t.MultiGetSortKeysAsync(Empty, cancellationToken: ct),
        ["CompareExchange.EmptyHashKey"] = (t, ct) => t.CompareExchangeAsync(Empty, Key, Key, Key, cancellationToken: ct),
        ["CompareExchange.NegativeTtl"] = (t, ct) => t.CompareExchangeAsync(Key, Key, Key, Key, ttlSeconds: -1, cancellationToken: ct),
    };

    /// <summary>Pegasus's client codes: PERR_INVALID_HASH_KEY, PERR_INVALID_VALUE, PERR_INVALID_SPLIT_COUNT, else PERR_INVALID_ARGUMENT.</summary>
    private static ErrorCode ExpectedError(string name) => name switch
    {
        _ when name.EndsWith("HashKey", StringComparison.Ordinal) => ErrorCode.InvalidHashKey,
        "MultiSet.NoValues" or "MultiDelete.NoSortKeys" => ErrorCode.InvalidValue,
        _ when name.StartsWith("GetUnorderedScanners.", StringComparison.Ordinal) => ErrorCode.InvalidSplitCount,
        _ => ErrorCode.InvalidArgument,
    };

    public static TheoryData<string> InvalidCallNames => [.. InvalidCalls.Keys];

    [Theory]
    [MemberData(nameof(InvalidCallNames))]
    public async Task Operation_InvalidInput_FailsWithPegasusCodeBeforeSending(string name)
    {
        await using var client = ClientTestSupport.UnreachableClient();
        var table = ClientTestSupport.UnreachableTable(client);

        var error = await Assert.ThrowsAsync<PegasusException>(() => InvalidCalls[name](table, TestContext.Current.CancellationToken));

        Assert.Equal(ExpectedError(name), error.Error);
        Assert.False(error.IsTransient);
        Assert.Null(error.Response);
        Assert.Equal(0, client.ReplicaConnectionCount);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task OpenTable_EmptyName_InvalidParametersWithoutMeta(string name)
    {
        await using var client = ClientTestSupport.UnreachableClient();

        var error = await Assert.ThrowsAsync<PegasusException>(() => client.OpenTableAsync(name, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.InvalidParameters, error.Error);
    }

    [Fact]
    public async Task BatchWrites_NoItems_CompleteWithoutSendingWhereJavaAcceptsThem()
    {
        await using var client = ClientTestSupport.UnreachableClient();
        var table = ClientTestSupport.UnreachableTable(client);
        var ct = TestContext.Current.CancellationToken;

        // Java's batchSet, batchSet2, batchDel2, batchMultiSet2 and batchMultiDel2 accept an empty list.
        await table.BatchSetAsync([], cancellationToken: ct);
        Assert.Empty(await table.BatchSetEachAsync([], cancellationToken: ct));
        Assert.Empty(await table.BatchDeleteEachAsync([], cancellationToken: ct));
        Assert.Empty(await table.BatchMultiSetEachAsync([], cancellationToken: ct));
        Assert.Empty(await table.BatchMultiDeleteEachAsync([], cancellationToken: ct));
        Assert.Equal(0, client.ReplicaConnectionCount);
    }

    [Fact]
    public async Task GetScanner_EmptyRange_ReturnsNothingWithoutSending()
    {
        await using var client = ClientTestSupport.UnreachableClient();
        var table = ClientTestSupport.UnreachableTable(client);
        var ct = TestContext.Current.CancellationToken;

        await using var scanner = await table.GetScannerAsync(Key, "b"u8.ToArray(), "a"u8.ToArray(), cancellationToken: ct);
        var records = 0;
        await foreach (var unused in scanner.WithCancellation(ct))
        {
            records++;
        }

        Assert.Equal(0, records);
        Assert.Empty(scanner.PartitionIndexes);
        Assert.Equal(0, client.ReplicaConnectionCount);
    }

    [Fact]
    public void Options_Invalid_ReportsEveryProblem()
    {
        var options = new PegasusClientOptions { MetaServers = [], DefaultTimeout = TimeSpan.Zero, MaxRetries = -1 };

        var errors = options.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Throws<ArgumentException>(() => new PegasusClient(options));
    }

    [Fact]
    public async Task Admin_NoAddresses_Throws()
    {
        await using var client = new PegasusClient(new PegasusClientOptions { MetaServers = ["http://127.0.0.1:1"] });

        Assert.Throws<InvalidOperationException>(() => client.Admin);
    }
}
