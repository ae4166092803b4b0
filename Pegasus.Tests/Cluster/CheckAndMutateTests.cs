using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>CheckAndMutate with every condition kind and atomic multi-record mutations against real processes.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class CheckAndMutateTests(PegasusClusterFixture fixture)
{
    [Fact]
    public async Task CheckAndMutate_EveryCheckType_AppliesAllOrNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("cam_all_types", partitionCount: 8);
        var cases = CheckConditionCase.All;
        for (var i = 0; i < cases.Count; i++)
        {
            var hashKey = B($"case{i}");
            await table.SetAsync(hashKey, B("doomed"), B("here"), cancellationToken: ct);
            if (cases[i].Stored is { } stored)
            {
                await table.SetAsync(hashKey, B("check"), B(stored), cancellationToken: ct);
            }
        }

        var mismatches = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var @case = cases[i];
            var hashKey = B($"case{i}");
            var mutations = new Mutations().Set(B("m1"), B($"one{i}")).Set(B("m2"), B($"two{i}")).Delete(B("doomed"));
            var result = await table.CheckAndMutateAsync(
                hashKey, B("check"), @case.Type, B(@case.Operand), mutations, new CheckAndMutateOptions { ReturnCheckValue = true }, cancellationToken: ct);
            var after = await table.MultiGetAsync(hashKey, cancellationToken: ct);
            var actual = string.Join(",", after.Values.Select(kv => $"{S(kv.SortKey)}={S(kv.Value)}"));
            var expected = string.Join(",", new[]
            {
                @case.Stored is null ? null : $"check={@case.Stored}",
                @case.Passes ? null : "doomed=here",
                @case.Passes ? $"m1=one{i}" : null,
                @case.Passes ? $"m2=two{i}" : null,
            }.Where(item => item is not null));
            if (result.MutateSucceed != @case.Passes)
            {
                mismatches.Add($"{@case}: MutateSucceed was {result.MutateSucceed}");
            }

            if (actual != expected)
            {
                mismatches.Add($"{@case}: records are [{actual}], expected [{expected}]");
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
    public async Task CheckAndMutate_PutsAndDeletes_AppliedInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("cam_order");
        await table.MultiSetAsync(B("h"), [(B("state"), B("open")), (B("old1"), B("x")), (B("old2"), B("y"))], cancellationToken: ct);

        var mutations = new Mutations()
            .Set(B("state"), B("closed"))
            .Delete(B("old1"))
            .Set(B("temp"), B("1"))
            .Delete(B("temp"))
            .Set(B("last"), B("a"))
            .Set(B("last"), B("b"))
            .Delete(B("absent"))
            .Set(B("leased"), B("v"), ttlSeconds: 100);
        var result = await table.CheckAndMutateAsync(B("h"), B("state"), CheckType.ValueBytesEqual, B("open"), mutations, cancellationToken: ct);

        Assert.True(result.MutateSucceed);
        Assert.False(result.CheckValueReturned);
        var records = await table.MultiGetAsync(B("h"), cancellationToken: ct);
        Assert.Equal(["last=b", "leased=v", "old2=y", "state=closed"], records.Values.Select(kv => $"{S(kv.SortKey)}={S(kv.Value)}"));
        Assert.InRange((await table.TtlAsync(B("h"), B("leased"), cancellationToken: ct))!.Value, 90, 100);
        Assert.Equal(-1, await table.TtlAsync(B("h"), B("state"), cancellationToken: ct));

        // The same mutations again: the state is no longer "open", so nothing changes.
        var again = await table.CheckAndMutateAsync(
            B("h"), B("state"), CheckType.ValueBytesEqual, B("open"), new Mutations().Delete(B("old2")).Set(B("state"), B("reopened")), cancellationToken: ct);
        Assert.False(again.MutateSucceed);
        Assert.Equal(4, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));
        Assert.Equal("closed", S(await table.GetAsync(B("h"), B("state"), cancellationToken: ct)));
    }

    [Fact]
    public async Task CheckAndMutate_EmptyMutationsOrIntCompareOnNonInt_FailAndChangeNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("cam_invalid");
        await table.SetAsync(B("h"), B("check"), B("not a number"), cancellationToken: ct);

        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.CheckAndMutateAsync(
            B("h"), B("check"), CheckType.NoCheck, [], new Mutations(), cancellationToken: ct));

        var notInt = await Assert.ThrowsAsync<CheckAndMutateException>(() => table.CheckAndMutateAsync(
            B("h"), B("check"), CheckType.ValueIntGreater, B("1"), new Mutations().Set(B("m"), B("x")).Delete(B("check")),
            new CheckAndMutateOptions { ReturnCheckValue = true }, cancellationToken: ct));
        Assert.Equal(ErrorCode.InvalidArgument, notInt.Error);
        Assert.False(notInt.Result.MutateSucceed);
        Assert.True(notInt.Result.CheckValueReturned);
        Assert.True(notInt.Result.CheckValueExist);
        Assert.Equal("not a number", S(notInt.Result.CheckValue));

        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.CheckAndMutateAsync(
            B("h"), B("check"), CheckType.NoCheck, [], new Mutations().Set(B("m"), B("x"), ttlSeconds: -5), cancellationToken: ct));

        var records = await table.MultiGetAsync(B("h"), cancellationToken: ct);
        Assert.Equal(["check=not a number"], records.Values.Select(kv => $"{S(kv.SortKey)}={S(kv.Value)}"));
    }
}
