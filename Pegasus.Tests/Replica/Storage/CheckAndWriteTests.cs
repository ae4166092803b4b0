using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>
/// Every check type of check-and-set and check-and-mutate, passing, failing and invalid, after
/// Apache Pegasus's validate_check and base_api test_check_and_set / test_check_and_mutate.
/// </summary>
public sealed class CheckAndWriteTests
{
    private const string HashKey = "check_hash_key";

    /// <summary>(check type, stored check value or null for absent, operand, expected error).</summary>
    public static TheoryData<CheckType, string?, string, ErrorCode> Cases => new()
    {
        { CheckType.NoCheck, null, "", ErrorCode.Ok },
        { CheckType.NoCheck, "v", "", ErrorCode.Ok },
        { CheckType.ValueNotExist, null, "", ErrorCode.Ok },
        { CheckType.ValueNotExist, "", "", ErrorCode.TryAgain },
        { CheckType.ValueNotExistOrEmpty, null, "", ErrorCode.Ok },
        { CheckType.ValueNotExistOrEmpty, "", "", ErrorCode.Ok },
        { CheckType.ValueNotExistOrEmpty, "v", "", ErrorCode.TryAgain },
        { CheckType.ValueExist, null, "", ErrorCode.TryAgain },
        { CheckType.ValueExist, "", "", ErrorCode.Ok },
        { CheckType.ValueNotEmpty, null, "", ErrorCode.TryAgain },
        { CheckType.ValueNotEmpty, "", "", ErrorCode.TryAgain },
        { CheckType.ValueNotEmpty, "v", "", ErrorCode.Ok },
        { CheckType.ValueMatchAnywhere, null, "", ErrorCode.TryAgain },
        { CheckType.ValueMatchAnywhere, "", "", ErrorCode.Ok },
        { CheckType.ValueMatchAnywhere, "", "a", ErrorCode.TryAgain },
        { CheckType.ValueMatchAnywhere, "abcdef", "cd", ErrorCode.Ok },
        { CheckType.ValueMatchAnywhere, "abcdef", "x", ErrorCode.TryAgain },
        { CheckType.ValueMatchPrefix, null, "", ErrorCode.TryAgain },
        { CheckType.ValueMatchPrefix, "abcdef", "abc", ErrorCode.Ok },
        { CheckType.ValueMatchPrefix, "abcdef", "bcd", ErrorCode.TryAgain },
        { CheckType.ValueMatchPrefix, "abcdef", "abcdefg", ErrorCode.TryAgain },
        { CheckType.ValueMatchPostfix, "abcdef", "def", ErrorCode.Ok },
        { CheckType.ValueMatchPostfix, "abcdef", "abc", ErrorCode.TryAgain },
        { CheckType.ValueMatchPostfix, "abcdef", "", ErrorCode.Ok },
        { CheckType.ValueBytesLess, null, "b", ErrorCode.TryAgain },
        { CheckType.ValueBytesLess, "abcdef", "b", ErrorCode.Ok },
        { CheckType.ValueBytesLess, "abcdef", "abcdef", ErrorCode.TryAgain },
        { CheckType.ValueBytesLess, "", "a", ErrorCode.Ok },
        { CheckType.ValueBytesLess, "10", "9", ErrorCode.Ok },
        { CheckType.ValueBytesLessOrEqual, "abcdef", "abcdef", ErrorCode.Ok },
        { CheckType.ValueBytesLessOrEqual, "abcdef", "abc", ErrorCode.TryAgain },
        { CheckType.ValueBytesEqual, "abcdef", "abcdef", ErrorCode.Ok },
        { CheckType.ValueBytesEqual, "abcdef", "abcde", ErrorCode.TryAgain },
        { CheckType.ValueBytesEqual, "", "", ErrorCode.Ok },
        { CheckType.ValueBytesGreaterOrEqual, "abcdef", "abcdef", ErrorCode.Ok },
        { CheckType.ValueBytesGreaterOrEqual, "abcdef", "b", ErrorCode.TryAgain },
        { CheckType.ValueBytesGreater, "abcdef", "abc", ErrorCode.Ok },
        { CheckType.ValueBytesGreater, "abcdef", "abcdef", ErrorCode.TryAgain },
        { CheckType.ValueIntLess, null, "1", ErrorCode.TryAgain },
        { CheckType.ValueIntLess, "10", "11", ErrorCode.Ok },
        { CheckType.ValueIntLess, "10", "10", ErrorCode.TryAgain },
        { CheckType.ValueIntLess, "10", "9", ErrorCode.TryAgain },
        { CheckType.ValueIntLess, "abcdef", "5", ErrorCode.InvalidArgument },
        { CheckType.ValueIntLessOrEqual, "10", "10", ErrorCode.Ok },
        { CheckType.ValueIntLessOrEqual, "10", "9", ErrorCode.TryAgain },
        { CheckType.ValueIntEqual, "10", "10", ErrorCode.Ok },
        { CheckType.ValueIntEqual, "10", "0xa", ErrorCode.Ok },
        { CheckType.ValueIntEqual, "-5", "-5", ErrorCode.Ok },
        { CheckType.ValueIntEqual, "10", "11", ErrorCode.TryAgain },
        { CheckType.ValueIntEqual, "10", "abc", ErrorCode.InvalidArgument },
        { CheckType.ValueIntEqual, "10", "", ErrorCode.InvalidArgument },
        { CheckType.ValueIntEqual, "", "10", ErrorCode.InvalidArgument },
        { CheckType.ValueIntGreaterOrEqual, "10", "10", ErrorCode.Ok },
        { CheckType.ValueIntGreaterOrEqual, "10", "11", ErrorCode.TryAgain },
        { CheckType.ValueIntGreater, "10", "9", ErrorCode.Ok },
        { CheckType.ValueIntGreater, "10", "10", ErrorCode.TryAgain },
        { CheckType.ValueIntGreater, "99999999999999999999", "1", ErrorCode.InvalidArgument },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CheckAndSet_FollowsTheCheck(CheckType checkType, string? stored, string operand, ErrorCode expected)
    {
        using var ctx = Prepare(stored);
        var request = new CheckAndSetRequest
        {
            HashKey = B(HashKey),
            CheckSortKey = B("check"),
            CheckType = checkType,
            CheckOperand = B(operand),
            SetDiffSortKey = true,
            SetSortKey = B("target"),
            SetValue = B("new"),
            ReturnCheckValue = true,
        };
        var decree = ctx.Store.LastAppliedDecree + 1;
        var response = ctx.Write(new DataRequest { CheckAndSet = request });

        Assert.Equal(expected, response.Error);
        Assert.Equal(decree, ctx.Store.LastAppliedDecree);
        AssertCheckValue(stored, response.CheckAndSet.CheckValueReturned, response.CheckAndSet.CheckValueExist, response.CheckAndSet.CheckValue.ToStringUtf8());
        Assert.Equal(expected == ErrorCode.Ok ? "new" : "old", ctx.Value(HashKey, "target"));
        Assert.Equal(stored, ctx.Value(HashKey, "check"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CheckAndMutate_FollowsTheCheck(CheckType checkType, string? stored, string operand, ErrorCode expected)
    {
        using var ctx = Prepare(stored);
        ctx.Set(HashKey, "doomed", "x");
        var request = new CheckAndMutateRequest
        {
            HashKey = B(HashKey),
            CheckSortKey = B("check"),
            CheckType = checkType,
            CheckOperand = B(operand),
            ReturnCheckValue = true,
        };
        request.MutateList.Add(new Mutate { Operation = MutateOperation.Put, SortKey = B("target"), Value = B("new") });
        request.MutateList.Add(new Mutate { Operation = MutateOperation.Put, SortKey = B("added"), Value = B("a"), SetExpireTsSeconds = ctx.Now + 50 });
        request.MutateList.Add(new Mutate { Operation = MutateOperation.Delete, SortKey = B("doomed") });
        var decree = ctx.Store.LastAppliedDecree + 1;
        var response = ctx.Write(new DataRequest { CheckAndMutate = request });

        Assert.Equal(expected, response.Error);
        Assert.Equal(decree, ctx.Store.LastAppliedDecree);
        AssertCheckValue(stored, response.CheckAndMutate.CheckValueReturned, response.CheckAndMutate.CheckValueExist, response.CheckAndMutate.CheckValue.ToStringUtf8());
        var passed = expected == ErrorCode.Ok;
        Assert.Equal(passed ? "new" : "old", ctx.Value(HashKey, "target"));
        Assert.Equal(passed ? "a" : null, ctx.Value(HashKey, "added"));
        Assert.Equal(passed ? null : "x", ctx.Value(HashKey, "doomed"));
        if (passed)
        {
            Assert.Equal(50, ctx.Ttl(HashKey, "added").Ttl.TtlSeconds);
        }
    }

    [Fact]
    public void CheckAndSet_WithoutDiffSortKey_WritesTheCheckedRecord_WithItsExpireTime()
    {
        using var ctx = Prepare("1");
        var response = ctx.Write(new DataRequest
        {
            CheckAndSet = new CheckAndSetRequest
            {
                HashKey = B(HashKey),
                CheckSortKey = B("check"),
                CheckType = CheckType.ValueIntEqual,
                CheckOperand = B("1"),
                SetSortKey = B("ignored"),
                SetValue = B("2"),
                SetExpireTsSeconds = ctx.Now + 20,
            },
        });
        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.False(response.CheckAndSet.CheckValueReturned);
        Assert.Equal("2", ctx.Value(HashKey, "check"));
        Assert.Equal(20, ctx.Ttl(HashKey, "check").Ttl.TtlSeconds);
        Assert.Null(ctx.Value(HashKey, "ignored"));
    }

    [Fact]
    public void ExpiredCheckRecord_CountsAsAbsent()
    {
        using var ctx = Prepare(null);
        ctx.Set(HashKey, "check", "v", ctx.Now + 1);
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        var response = ctx.Write(new DataRequest
        {
            CheckAndSet = new CheckAndSetRequest
            {
                HashKey = B(HashKey),
                CheckSortKey = B("check"),
                CheckType = CheckType.ValueNotExist,
                SetValue = B("fresh"),
                ReturnCheckValue = true,
            },
        });
        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.True(response.CheckAndSet.CheckValueReturned);
        Assert.False(response.CheckAndSet.CheckValueExist);
        Assert.Equal("fresh", ctx.Value(HashKey, "check"));
    }

    [Theory]
    [InlineData(18)]
    [InlineData(-1)]
    public void UnsupportedCheckType_IsInvalidArgument_WithoutCheckValue(int checkType)
    {
        using var ctx = Prepare("v");
        var set = ctx.Write(new DataRequest
        {
            CheckAndSet = new CheckAndSetRequest
            {
                HashKey = B(HashKey), CheckSortKey = B("check"), CheckType = (CheckType)checkType, SetValue = B("x"), ReturnCheckValue = true,
            },
        });
        Assert.Equal(ErrorCode.InvalidArgument, set.Error);
        Assert.False(set.CheckAndSet?.CheckValueReturned ?? false);

        var mutate = new CheckAndMutateRequest { HashKey = B(HashKey), CheckSortKey = B("check"), CheckType = (CheckType)checkType };
        mutate.MutateList.Add(new Mutate { SortKey = B("check"), Value = B("x") });
        Assert.Equal(ErrorCode.InvalidArgument, ctx.Write(new DataRequest { CheckAndMutate = mutate }).Error);
        Assert.Equal("v", ctx.Value(HashKey, "check"));
        Assert.Equal(4, ctx.Store.LastAppliedDecree);
    }

    [Fact]
    public void CheckAndMutate_RejectsAnEmptyListAndUnknownOperations()
    {
        using var ctx = Prepare("v");
        var empty = new CheckAndMutateRequest { HashKey = B(HashKey), CheckSortKey = B("check"), CheckType = CheckType.NoCheck };
        Assert.Equal(ErrorCode.InvalidArgument, ctx.Write(new DataRequest { CheckAndMutate = empty }).Error);

        var unknown = new CheckAndMutateRequest { HashKey = B(HashKey), CheckSortKey = B("check"), CheckType = CheckType.NoCheck };
        unknown.MutateList.Add(new Mutate { Operation = MutateOperation.Put, SortKey = B("a"), Value = B("1") });
        unknown.MutateList.Add(new Mutate { Operation = (MutateOperation)2, SortKey = B("b") });
        Assert.Equal(ErrorCode.InvalidArgument, ctx.Write(new DataRequest { CheckAndMutate = unknown }).Error);

        // Validation happens before anything is written: the valid first mutation did not apply.
        Assert.Null(ctx.Value(HashKey, "a"));
        Assert.Equal(4, ctx.Store.LastAppliedDecree);
    }

    private static StoreTestContext Prepare(string? checkValue)
    {
        var ctx = new StoreTestContext();
        if (checkValue is not null)
        {
            ctx.Set(HashKey, "check", checkValue);
        }

        ctx.Set(HashKey, "target", "old");
        return ctx;
    }

    private static void AssertCheckValue(string? stored, bool returned, bool exists, string value)
    {
        Assert.True(returned);
        Assert.Equal(stored is not null, exists);
        Assert.Equal(stored ?? "", value);
    }
}
