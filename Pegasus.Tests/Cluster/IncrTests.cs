using Pegasus.Client;
using Pegasus.Protocol;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>Incr (atomic int64 add, with TTL keep/set/clear) against real processes.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class IncrTests(PegasusClusterFixture fixture)
{
    [Fact]
    public async Task Incr_AbsentAndNumericValues_Add()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("incr_numeric");

        // Absent counts as 0.
        Assert.Equal(7, await table.IncrAsync(B("h"), B("absent"), 7, cancellationToken: ct));
        Assert.Equal("7", S(await table.GetAsync(B("h"), B("absent"), cancellationToken: ct)));
        Assert.Equal(-1, await table.TtlAsync(B("h"), B("absent"), cancellationToken: ct));

        await table.SetAsync(B("h"), B("n"), B("100"), cancellationToken: ct);
        Assert.Equal(90, await table.IncrAsync(B("h"), B("n"), -10, cancellationToken: ct));
        Assert.Equal(90, await table.IncrAsync(B("h"), B("n"), 0, cancellationToken: ct));
        Assert.Equal(-10, await table.IncrAsync(B("h"), B("n"), -100, cancellationToken: ct));
        Assert.Equal("-10", S(await table.GetAsync(B("h"), B("n"), cancellationToken: ct)));

        // An empty value counts as 0 too.
        await table.SetAsync(B("h"), B("empty"), [], cancellationToken: ct);
        Assert.Equal(3, await table.IncrAsync(B("h"), B("empty"), 3, cancellationToken: ct));
    }

    [Fact]
    public async Task Incr_NonNumericValueOrOverflow_InvalidArgumentAndValueUnchanged()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("incr_invalid");
        await table.SetAsync(B("h"), B("text"), B("abc"), cancellationToken: ct);
        await table.SetAsync(B("h"), B("max"), B(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken: ct);

        // The refusals keep the server's typed answer: NewValue is 0 for a value that is not an int64 ...
        var notInt = await Assert.ThrowsAsync<IncrException>(() => table.IncrAsync(B("h"), B("text"), 1, cancellationToken: ct));
        Assert.Equal(ErrorCode.InvalidArgument, notInt.Error);
        Assert.Equal(0, notInt.NewValue);
        Assert.Equal(ErrorCode.InvalidArgument, notInt.Response!.Error);
        Assert.Equal("abc", S(await table.GetAsync(B("h"), B("text"), cancellationToken: ct)));

        // ... and the stored value on overflow, as Pegasus answers it.
        var overflow = await Assert.ThrowsAsync<IncrException>(() => table.IncrAsync(B("h"), B("max"), 1, cancellationToken: ct));
        Assert.Equal(ErrorCode.InvalidArgument, overflow.Error);
        Assert.Equal(long.MaxValue, overflow.NewValue);
        Assert.Equal(long.MaxValue, overflow.Response!.Incr.NewValue);
        Assert.Equal(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), S(await table.GetAsync(B("h"), B("max"), cancellationToken: ct)));
        await table.SetAsync(B("h"), B("min"), B(long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken: ct);
        var underflow = await Assert.ThrowsAsync<IncrException>(() => table.IncrAsync(B("h"), B("min"), -1, cancellationToken: ct));
        Assert.Equal(long.MinValue, underflow.NewValue);

        // A TTL below -1 is refused before anything is sent.
        await AssertErrorAsync(ErrorCode.InvalidArgument, () => table.IncrAsync(B("h"), B("new"), 1, ttlSeconds: -2, cancellationToken: ct));
        Assert.False(await table.ExistAsync(B("h"), B("new"), cancellationToken: ct));
    }

    [Fact]
    public async Task Incr_Ttl_KeepSetAndClear()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("incr_ttl");

        // A new record takes a positive TTL.
        Assert.Equal(1, await table.IncrAsync(B("h"), B("c"), 1, ttlSeconds: 1000, cancellationToken: ct));
        Assert.InRange((await table.TtlAsync(B("h"), B("c"), cancellationToken: ct))!.Value, 990, 1000);

        // 0 keeps it.
        Assert.Equal(2, await table.IncrAsync(B("h"), B("c"), 1, cancellationToken: ct));
        Assert.InRange((await table.TtlAsync(B("h"), B("c"), cancellationToken: ct))!.Value, 990, 1000);

        // A positive TTL replaces it.
        Assert.Equal(3, await table.IncrAsync(B("h"), B("c"), 1, ttlSeconds: 50, cancellationToken: ct));
        Assert.InRange((await table.TtlAsync(B("h"), B("c"), cancellationToken: ct))!.Value, 40, 50);

        // -1 clears it.
        Assert.Equal(4, await table.IncrAsync(B("h"), B("c"), 1, ttlSeconds: -1, cancellationToken: ct));
        Assert.Equal(-1, await table.TtlAsync(B("h"), B("c"), cancellationToken: ct));

        // Keeping the TTL of a record set with one.
        await table.SetAsync(B("h"), B("d"), B("10"), ttlSeconds: 500, cancellationToken: ct);
        Assert.Equal(11, await table.IncrAsync(B("h"), B("d"), 1, cancellationToken: ct));
        Assert.InRange((await table.TtlAsync(B("h"), B("d"), cancellationToken: ct))!.Value, 490, 500);
    }

    [Fact]
    public async Task Incr_ExpiredRecord_CountsAsAbsent()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("incr_expired");
        await table.SetAsync(B("h"), B("c"), B("100"), ttlSeconds: 1, cancellationToken: ct);
        await EventuallyAsync(async () => !await table.ExistAsync(B("h"), B("c"), cancellationToken: ct), () => "the record to expire");

        Assert.Equal(5, await table.IncrAsync(B("h"), B("c"), 5, cancellationToken: ct));
        Assert.Equal(-1, await table.TtlAsync(B("h"), B("c"), cancellationToken: ct));
    }
}
