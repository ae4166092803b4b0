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
    };

    public static TheoryData<string> InvalidCallNames => [.. InvalidCalls.Keys];

    [Theory]
    [MemberData(nameof(InvalidCallNames))]
    public async Task Operation_InvalidArgument_FailsBeforeSending(string name)
    {
        await using var client = ClientTestSupport.UnreachableClient();
        var table = ClientTestSupport.UnreachableTable(client);

        var error = await Assert.ThrowsAsync<PegasusException>(() => InvalidCalls[name](table, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.InvalidArgument, error.Error);
        Assert.False(error.IsTransient);
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
    public async Task BatchOperations_NoKeys_CompleteWithoutSending()
    {
        await using var client = ClientTestSupport.UnreachableClient();
        var table = ClientTestSupport.UnreachableTable(client);
        var ct = TestContext.Current.CancellationToken;

        Assert.Empty(await table.BatchGetAsync([], cancellationToken: ct));
        await table.BatchSetAsync([], cancellationToken: ct);
        await table.BatchDeleteAsync([], cancellationToken: ct);
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
