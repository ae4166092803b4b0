using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Storage;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

public sealed class PartitionStoreBasicTests
{
    [Fact]
    public void SetGetDelete_RoundTrip()
    {
        using var ctx = new StoreTestContext();
        Assert.Equal(ErrorCode.Ok, ctx.Set("hk", "sk", "value").Error);
        Assert.Equal("value", ctx.Value("hk", "sk"));
        Assert.True(ctx.Exists("hk", "sk"));

        var deleted = ctx.Delete("hk", "sk");
        Assert.Equal(ErrorCode.Ok, deleted.Error);
        Assert.Null(ctx.Value("hk", "sk"));
        Assert.False(ctx.Exists("hk", "sk"));
        Assert.Equal(ErrorCode.NotFound, ctx.Ttl("hk", "sk").Error);
    }

    [Fact]
    public void Set_EmptyHashKeyAndEmptyValue_AreRecords()
    {
        using var ctx = new StoreTestContext();
        ctx.Set("", "only-sort-key", "");
        Assert.Equal("", ctx.Value("", "only-sort-key"));
        Assert.True(ctx.Exists("", "only-sort-key"));
    }

    [Fact]
    public void Responses_CarryPartitionAndDecree()
    {
        using var ctx = new StoreTestContext();
        var write = ctx.Set("hk", "sk", "v");
        Assert.Equal(AppId, write.AppId);
        Assert.Equal(0, write.PartitionIndex);
        Assert.Equal(1, write.Decree);
        var read = ctx.Get("hk", "sk");
        Assert.Equal(AppId, read.AppId);
        Assert.Equal(0, read.Decree);
    }

    [Fact]
    public void Ttl_ReportsRemainingSecondsOrMinusOne_AndExpiredRecordsReadAsAbsent()
    {
        using var ctx = new StoreTestContext();
        ctx.Set("hk", "forever", "v");
        ctx.Set("hk", "short", "v", ctx.Now + 10);

        Assert.Equal(-1, ctx.Ttl("hk", "forever").Ttl.TtlSeconds);
        Assert.Equal(10, ctx.Ttl("hk", "short").Ttl.TtlSeconds);

        ctx.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, ctx.Ttl("hk", "short").Ttl.TtlSeconds);
        Assert.Equal("v", ctx.Value("hk", "short"));

        // Expired once the clock reaches the expire time.
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(ctx.Value("hk", "short"));
        Assert.False(ctx.Exists("hk", "short"));
        Assert.Equal(ErrorCode.NotFound, ctx.Ttl("hk", "short").Error);
        Assert.Equal(1, ctx.SortKeyCount("hk"));
        Assert.Equal("v", ctx.Value("hk", "forever"));
    }

    [Fact]
    public void Set_WithExpireTimeInThePast_IsInvisible()
    {
        using var ctx = new StoreTestContext();
        Assert.Equal(ErrorCode.Ok, ctx.Set("hk", "sk", "v", ctx.Now - 1).Error);
        Assert.Null(ctx.Value("hk", "sk"));
    }

    [Fact]
    public void Requests_ForAnotherPartition_AreRejectedWithPartitionMismatch()
    {
        using var ctx = new StoreTestContext(partitionCount: 4, partitionIndex: 1);
        var mine = ctx.HashKeyIn(1);
        var other = ctx.HashKeyIn(2);
        Assert.Equal(ErrorCode.Ok, ctx.Set(mine, "sk", "v").Error);

        var get = ctx.Get(other, "sk");
        Assert.Equal(ErrorCode.PartitionMismatch, get.Error);
        Assert.Contains("partition 2", get.ErrorMessage, StringComparison.Ordinal);

        var set = ctx.Set(other, "sk", "v");
        Assert.Equal(ErrorCode.PartitionMismatch, set.Error);

        // The rejected write still consumed its decree and changed nothing.
        Assert.Equal(2, ctx.Store.LastAppliedDecree);
        Assert.Equal(2, set.Decree);

        var batch = new BatchGetRequest();
        batch.Keys.Add(new FullKey { HashKey = B(mine), SortKey = B("sk") });
        batch.Keys.Add(new FullKey { HashKey = B(other), SortKey = B("sk") });
        Assert.Equal(ErrorCode.PartitionMismatch, ctx.Read(new DataRequest { BatchGet = batch }).Error);

        var multiGet = new MultiGetRequest { HashKey = B(other) };
        Assert.Equal(ErrorCode.PartitionMismatch, ctx.Read(new DataRequest { MultiGet = multiGet }).Error);
        Assert.Equal(ErrorCode.PartitionMismatch,
            ctx.Read(new DataRequest { SortKeyCount = new SortKeyCountRequest { HashKey = B(other) } }).Error);
        Assert.Equal(ErrorCode.PartitionMismatch,
            ctx.Read(new DataRequest { GetScanner = new GetScannerRequest { HashKey = B(other) } }).Error);
    }

    [Fact]
    public void EmptyHashKey_PartitionsBySortKey()
    {
        using var ctx = new StoreTestContext(partitionCount: 4, partitionIndex: 3);
        var sortKey = ctx.HashKeyIn(3, "sort");
        var foreignSortKey = ctx.HashKeyIn(0, "sort");
        Assert.Equal(ErrorCode.Ok, ctx.Set("", sortKey, "v").Error);
        Assert.Equal(ErrorCode.PartitionMismatch, ctx.Set("", foreignSortKey, "v").Error);
    }

    [Fact]
    public void HashKey_LongerThanTheLimit_IsInvalidHashKey()
    {
        using var ctx = new StoreTestContext();
        var tooLong = new string('h', Pegasus.Protocol.Keys.KeyLimits.MaxHashKeyLength + 1);
        Assert.Equal(ErrorCode.InvalidHashKey, ctx.Set(tooLong, "sk", "v").Error);
        Assert.Equal(ErrorCode.InvalidHashKey, ctx.Get(tooLong, "sk").Error);
        Assert.Equal(1, ctx.Store.LastAppliedDecree);

        var longest = new string('h', Pegasus.Protocol.Keys.KeyLimits.MaxHashKeyLength);
        Assert.Equal(ErrorCode.Ok, ctx.Set(longest, "sk", "v").Error);
        Assert.Equal("v", ctx.Value(longest, "sk"));
    }

    [Fact]
    public void MultiRecordOperations_WithEmptyHashKey_AreInvalidHashKey()
    {
        using var ctx = new StoreTestContext();
        Assert.Equal(ErrorCode.InvalidHashKey, ctx.MultiSet("", [("a", "1")]).Error);
        var multiDelete = new MultiDeleteRequest { HashKey = B("") };
        multiDelete.SortKeys.Add(B("a"));
        Assert.Equal(ErrorCode.InvalidHashKey, ctx.Write(new DataRequest { MultiDelete = multiDelete }).Error);
        Assert.Equal(ErrorCode.InvalidHashKey, ctx.Write(new DataRequest
        {
            CheckAndSet = new CheckAndSetRequest { CheckSortKey = B("a"), SetValue = B("v") },
        }).Error);
        var checkAndMutate = new CheckAndMutateRequest { CheckSortKey = B("a") };
        checkAndMutate.MutateList.Add(new Mutate { SortKey = B("a"), Value = B("v") });
        Assert.Equal(ErrorCode.InvalidHashKey, ctx.Write(new DataRequest { CheckAndMutate = checkAndMutate }).Error);
        Assert.Equal(ErrorCode.InvalidHashKey, ctx.Read(new DataRequest { MultiGet = new MultiGetRequest() }).Error);
        Assert.Equal(ErrorCode.InvalidHashKey, ctx.Read(new DataRequest { SortKeyCount = new SortKeyCountRequest() }).Error);
        Assert.Equal(ErrorCode.InvalidHashKey, ctx.Read(new DataRequest { GetScanner = new GetScannerRequest() }).Error);
        Assert.Equal(4, ctx.Store.LastAppliedDecree);
        Assert.Null(ctx.Value("", "a"));
    }

    [Fact]
    public void MultiSetAndMultiDelete_ValidateTheirLists()
    {
        using var ctx = new StoreTestContext();
        Assert.Equal(ErrorCode.InvalidValue, ctx.MultiSet("hk", []).Error);
        var empty = new MultiDeleteRequest { HashKey = B("hk") };
        Assert.Equal(ErrorCode.InvalidValue, ctx.Write(new DataRequest { MultiDelete = empty }).Error);
        Assert.Equal(2, ctx.Store.LastAppliedDecree);
    }

    [Fact]
    public void MultiSet_AppliesTheRequestExpireTimeToEveryRecord_AndMultiDeleteCountsNamedKeys()
    {
        using var ctx = new StoreTestContext();
        Assert.Equal(ErrorCode.Ok, ctx.MultiSet("hk", [("a", "1"), ("b", "2"), ("c", "3")], ctx.Now + 100).Error);
        Assert.Equal("2", ctx.Value("hk", "b"));
        Assert.Equal(100, ctx.Ttl("hk", "c").Ttl.TtlSeconds);
        Assert.Equal(3, ctx.SortKeyCount("hk"));

        var multiDelete = new MultiDeleteRequest { HashKey = B("hk") };
        multiDelete.SortKeys.Add([B("a"), B("b"), B("missing")]);
        var response = ctx.Write(new DataRequest { MultiDelete = multiDelete });
        Assert.Equal(ErrorCode.Ok, response.Error);

        // Pegasus counts the sort keys named, not the records that existed.
        Assert.Equal(3, response.MultiDelete.Count);
        Assert.Equal(1, ctx.SortKeyCount("hk"));
        Assert.Equal("3", ctx.Value("hk", "c"));
    }

    [Fact]
    public void LastAppliedDecree_AndData_SurviveReopen()
    {
        using var ctx = new StoreTestContext();
        Assert.Equal(0, ctx.Store.LastAppliedDecree);
        ctx.Set("hk", "a", "1");
        ctx.Set("hk", "b", "2", ctx.Now + 60);
        ctx.Delete("hk", "a");
        ctx.Store.ApplyEmptyWrite(4);
        Assert.Equal(4, ctx.Store.LastAppliedDecree);

        ctx.Reopen();
        Assert.Equal(4, ctx.Store.LastAppliedDecree);
        Assert.Null(ctx.Value("hk", "a"));
        Assert.Equal("2", ctx.Value("hk", "b"));
        Assert.Equal(60, ctx.Ttl("hk", "b").Ttl.TtlSeconds);
        Assert.Equal(ErrorCode.Ok, ctx.Set("hk", "c", "3").Error);
        Assert.Equal(5, ctx.Store.LastAppliedDecree);
    }

    [Fact]
    public void Fsync_WritesStillApplyAndSurviveReopen()
    {
        using var ctx = new StoreTestContext(configure: o => o.Fsync = true);
        ctx.Set("hk", "a", "1");
        ctx.Reopen();
        Assert.Equal("1", ctx.Value("hk", "a"));
        Assert.Equal(1, ctx.Store.LastAppliedDecree);
    }

    [Fact]
    public void ApplyWrite_RejectsOutOfOrderDecreesAndReads()
    {
        using var ctx = new StoreTestContext();
        var set = new DataRequest { Set = new SetRequest { HashKey = B("hk"), SortKey = B("sk"), Value = B("v") } };
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Store.ApplyWrite(2, set, new DataResponse()));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Store.ApplyWrite(0, set, new DataResponse()));
        ctx.Store.ApplyWrite(1, set, new DataResponse());
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Store.ApplyWrite(1, set, new DataResponse()));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Store.ApplyEmptyWrite(3));
        var get = new DataRequest { Get = new GetRequest { HashKey = B("hk"), SortKey = B("sk") } };
        Assert.Throws<ArgumentException>(() => ctx.Store.ApplyWrite(2, get, new DataResponse()));
        Assert.Equal(1, ctx.Store.LastAppliedDecree);

        var readOfWrite = ctx.Read(set);
        Assert.Equal(ErrorCode.InvalidArgument, readOfWrite.Error);
        Assert.Equal(ErrorCode.InvalidArgument, ctx.Read(new DataRequest()).Error);
    }

    [Fact]
    public void IsWrite_ClassifiesEveryOperation()
    {
        var writes = new[]
        {
            DataRequest.OpOneofCase.Set, DataRequest.OpOneofCase.Delete, DataRequest.OpOneofCase.Incr,
            DataRequest.OpOneofCase.MultiSet, DataRequest.OpOneofCase.MultiDelete,
            DataRequest.OpOneofCase.CheckAndSet, DataRequest.OpOneofCase.CheckAndMutate,
        };
        foreach (var op in Enum.GetValues<DataRequest.OpOneofCase>())
        {
            Assert.Equal(writes.Contains(op), PartitionStore.IsWrite(op));
            Assert.Equal(!writes.Contains(op) && op != DataRequest.OpOneofCase.None, PartitionStore.IsRead(op));
        }
    }

    [Fact]
    public void Validate_ChecksWithoutApplying()
    {
        using var ctx = new StoreTestContext(partitionCount: 2, partitionIndex: 0);
        var foreign = ctx.HashKeyIn(1);
        var response = new DataResponse();
        Assert.False(ctx.Store.Validate(new DataRequest { Set = new SetRequest { HashKey = B(foreign), SortKey = B("s") } }, response));
        Assert.Equal(ErrorCode.PartitionMismatch, response.Error);
        Assert.True(ctx.Store.Validate(new DataRequest { Set = new SetRequest { HashKey = B(ctx.HashKeyIn(0)), SortKey = B("s") } }, new DataResponse()));
        Assert.Equal(0, ctx.Store.LastAppliedDecree);
    }

    [Fact]
    public void Open_RefusesAnotherPartitionsDirectory()
    {
        using var ctx = new StoreTestContext();
        ctx.Store.Dispose();
        Assert.Throws<InvalidOperationException>(() => PartitionStore.Open(ctx.Directory, AppId, 1, 2, new StorageOptions(),
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        ctx.Reopen();
        Assert.Equal(0, ctx.Store.LastAppliedDecree);
    }

    [Fact]
    public void ClosedStore_AnswersReadsWithInvalidState_AndRefusesWrites()
    {
        using var ctx = new StoreTestContext();
        ctx.Store.Dispose();
        Assert.Equal(ErrorCode.InvalidState, ctx.Get("hk", "sk").Error);
        Assert.Throws<ObjectDisposedException>(() => ctx.Set("hk", "sk", "v"));
        Assert.Throws<ObjectDisposedException>(() => ctx.Store.SweepExpired(10));
        ctx.Reopen();
    }

    [Fact]
    public void StorageOptionsValidator_ReportsEveryError()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions
        {
            MultiGetMaxIterationCount = 0,
            MultiGetMaxIterationSize = -1,
            MaxIterationCount = 0,
            DefaultScanBatchSize = 0,
            IterationThresholdTime = TimeSpan.FromSeconds(-1),
            ScanContextTimeout = TimeSpan.Zero,
            MaxScanContexts = 0,
        });
        Assert.True(result.Failed);
        Assert.Equal(7, result.Failures!.Count());
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions()).Succeeded);
    }
}
