using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>CheckAndSet with every condition kind against real processes.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class CheckAndSetTests(PegasusClusterFixture fixture)
{
    [Fact]
    public async Task CheckAndSet_EveryCheckType_PassesAndFails()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("cas_all_types", partitionCount: 8);
        var cases = CheckConditionCase.All;
        for (var i = 0; i < cases.Count; i++)
        {
            if (cases[i].Stored is { } stored)
            {
                await table.SetAsync(B($"case{i}"), B("check"), B(stored), cancellationToken: ct);
            }
        }

        var mismatches = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var @case = cases[i];
            var hashKey = B($"case{i}");
            var result = await table.CheckAndSetAsync(
                hashKey, B("check"), @case.Type, B(@case.Operand), B("target"), B($"set{i}"), new CheckAndSetOptions { ReturnCheckValue = true }, cancellationToken: ct);
            var target = await table.GetAsync(hashKey, B("target"), cancellationToken: ct);
            var check = await table.GetAsync(hashKey, B("check"), cancellationToken: ct);
            if (result.SetSucceed != @case.Passes)
            {
                mismatches.Add($"{@case}: SetSucceed was {result.SetSucceed}");
            }

            if ((target is not null) != @case.Passes || (target is not null && S(target) != $"set{i}"))
            {
                mismatches.Add($"{@case}: target is {S(target)}");
            }

            if (S(check) != (@case.Stored ?? "<null>"))
            {
                mismatches.Add($"{@case}: the checked record changed to {S(check)}");
            }

            if (!result.CheckValueReturned || result.CheckValueExist != (@case.Stored is not null)
                || (@case.Stored is not null && S(result.CheckValue) != @case.Stored))
            {
                mismatches.Add($"{@case}: returned check value {result}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task CheckAndSet_SameSortKey_SwapsTheCheckedValueOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("cas_same_key");
        await table.SetAsync(B("h"), B("lock"), B("old"), cancellationToken: ct);

        var first = await table.CheckAndSetAsync(B("h"), B("lock"), CheckType.ValueBytesEqual, B("old"), B("lock"), B("new"), cancellationToken: ct);
        Assert.True(first.SetSucceed);
        Assert.False(first.CheckValueReturned);
        Assert.Null(first.CheckValue);

        var second = await table.CheckAndSetAsync(
            B("h"), B("lock"), CheckType.ValueBytesEqual, B("old"), B("lock"), B("newer"), new CheckAndSetOptions { ReturnCheckValue = true }, cancellationToken: ct);
        Assert.False(second.SetSucceed);
        Assert.True(second.CheckValueReturned);
        Assert.True(second.CheckValueExist);
        Assert.Equal("new", S(second.CheckValue));
        Assert.Equal("new", S(await table.GetAsync(B("h"), B("lock"), cancellationToken: ct)));

        // Create-if-absent: only the first caller wins.
        Assert.True((await table.CheckAndSetAsync(B("h"), B("once"), CheckType.ValueNotExist, [], B("once"), B("a"), cancellationToken: ct)).SetSucceed);
        Assert.False((await table.CheckAndSetAsync(B("h"), B("once"), CheckType.ValueNotExist, [], B("once"), B("b"), cancellationToken: ct)).SetSucceed);
        Assert.Equal("a", S(await table.GetAsync(B("h"), B("once"), cancellationToken: ct)));
    }

    [Fact]
    public async Task CheckAndSet_DiffSortKeyWithTtl_WritesTheOtherRecord()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("cas_diff_key");
        await table.SetAsync(B("h"), B("version"), B("3"), cancellationToken: ct);

        var result = await table.CheckAndSetAsync(
            B("h"), B("version"), CheckType.ValueIntGreaterOrEqual, B("3"), B("data"), B("payload"), new CheckAndSetOptions { SetValueTtlSeconds = 100, ReturnCheckValue = true }, cancellationToken: ct);

        Assert.True(result.SetSucceed);
        Assert.Equal("3", S(result.CheckValue));
        Assert.Equal("payload", S(await table.GetAsync(B("h"), B("data"), cancellationToken: ct)));
        Assert.InRange((await table.TtlAsync(B("h"), B("data"), cancellationToken: ct))!.Value, 90, 100);
        Assert.Equal("3", S(await table.GetAsync(B("h"), B("version"), cancellationToken: ct)));
        Assert.Equal(-1, await table.TtlAsync(B("h"), B("version"), cancellationToken: ct));
    }

    [Fact]
    public async Task CheckAndSet_IntCompareOnNonInt_InvalidArgumentAndNothingWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("cas_int_invalid");
        await table.SetAsync(B("h"), B("text"), B("abc"), cancellationToken: ct);
        await table.SetAsync(B("h"), B("number"), B("5"), cancellationToken: ct);

        // A stored value that is not an int64: the refusal still carries the check value the server returned.
        var notInt = await Assert.ThrowsAsync<CheckAndSetException>(() => table.CheckAndSetAsync(
            B("h"), B("text"), CheckType.ValueIntLess, B("5"), B("target"), B("x"), new CheckAndSetOptions { ReturnCheckValue = true }, cancellationToken: ct));
        Assert.Equal(ErrorCode.InvalidArgument, notInt.Error);
        Assert.False(notInt.Result.SetSucceed);
        Assert.True(notInt.Result.CheckValueReturned);
        Assert.True(notInt.Result.CheckValueExist);
        Assert.Equal("abc", S(notInt.Result.CheckValue));
        Assert.True(notInt.Response!.CheckAndSet.CheckValueReturned);

        // An operand that is not an int64, without asking for the check value.
        var badOperand = await Assert.ThrowsAsync<CheckAndSetException>(() => table.CheckAndSetAsync(
            B("h"), B("number"), CheckType.ValueIntEqual, B("five"), B("target"), B("x"), cancellationToken: ct));
        Assert.Equal(ErrorCode.InvalidArgument, badOperand.Error);
        Assert.False(badOperand.Result.CheckValueReturned);
        Assert.Null(badOperand.Result.CheckValue);

        // An unknown check type is refused before sending.
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.CheckAndSetAsync(
            B("h"), B("number"), (CheckType)99, [], B("target"), B("x"), cancellationToken: ct));

        Assert.Null(await table.GetAsync(B("h"), B("target"), cancellationToken: ct));
        Assert.Equal("abc", S(await table.GetAsync(B("h"), B("text"), cancellationToken: ct)));
        Assert.Equal("5", S(await table.GetAsync(B("h"), B("number"), cancellationToken: ct)));
    }
}
