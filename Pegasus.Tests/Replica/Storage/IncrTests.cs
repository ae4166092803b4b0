using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>Incr cases after Apache Pegasus's atomic_write/incr_test.cpp.</summary>
public sealed class IncrTests
{
    private static DataResponse Incr(StoreTestContext ctx, long increment, int expireTs = 0)
        => ctx.Write(new DataRequest
        {
            Incr = new IncrRequest { HashKey = B("hk"), SortKey = B("sk"), Increment = increment, ExpireTsSeconds = expireTs },
        });

    private static void AssertIncr(StoreTestContext ctx, long increment, long expected, int expireTs = 0)
    {
        var response = Incr(ctx, increment, expireTs);
        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.Equal(expected, response.Incr.NewValue);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), ctx.Value("hk", "sk"));
    }

    [Fact]
    public void OnAbsentKey_StartsFromZero()
    {
        using var ctx = new StoreTestContext();
        AssertIncr(ctx, 100, 100);
        Assert.Equal(-1, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);
    }

    [Theory]
    [InlineData("", 100, 100)]
    [InlineData("0", 1, 1)]
    [InlineData("100", 1, 101)]
    [InlineData("-100", -1, -101)]
    [InlineData("100", 0, 100)]
    [InlineData("  +7", 1, 8)]
    [InlineData("0x10", 1, 17)]
    [InlineData("010", 1, 9)]
    [InlineData("9223372036854775806", 1, long.MaxValue)]
    [InlineData("-9223372036854775808", 1, long.MinValue + 1)]
    public void OnStoredValue_AddsToItsInt64Text(string stored, long increment, long expected)
    {
        using var ctx = new StoreTestContext();
        ctx.Set("hk", "sk", stored);
        AssertIncr(ctx, increment, expected);
    }

    [Fact]
    public void ByMultipleTimes_Accumulates()
    {
        using var ctx = new StoreTestContext();
        ctx.Set("hk", "sk", "100");
        AssertIncr(ctx, 1, 101);
        AssertIncr(ctx, 2, 103);
        AssertIncr(ctx, 3, 106);
    }

    [Theory]
    [InlineData("aaa")]
    [InlineData("10000000000000000000000000000000000000")]
    [InlineData("12abc")]
    [InlineData("1.5")]
    [InlineData(" ")]
    [InlineData("08")]
    public void OnNonInt64Value_IsInvalidArgument_AndKeepsTheValue(string stored)
    {
        using var ctx = new StoreTestContext();
        ctx.Set("hk", "sk", stored);
        var response = Incr(ctx, 1);
        Assert.Equal(ErrorCode.InvalidArgument, response.Error);
        Assert.Equal(0, response.Incr.NewValue);
        Assert.Equal(stored, ctx.Value("hk", "sk"));

        // The failed incr still consumed its decree.
        Assert.Equal(2, ctx.Store.LastAppliedDecree);
        Assert.Equal(2, response.Decree);
    }

    [Theory]
    [InlineData("1", long.MaxValue, 1)]
    [InlineData("-1", long.MinValue, -1)]
    public void Overflow_IsInvalidArgument_AndAnswersTheOldValue(string stored, long increment, long oldValue)
    {
        using var ctx = new StoreTestContext();
        ctx.Set("hk", "sk", stored);
        var response = Incr(ctx, increment);
        Assert.Equal(ErrorCode.InvalidArgument, response.Error);
        Assert.Equal(oldValue, response.Incr.NewValue);
        Assert.Equal(stored, ctx.Value("hk", "sk"));
    }

    [Fact]
    public void ExpireTsZero_PreservesTheTtl_UntilTheRecordExpires()
    {
        using var ctx = new StoreTestContext();
        AssertIncr(ctx, 100, 100, (int)ctx.Now + 6);
        Assert.Equal(6, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);
        for (var i = 0; i < 3; i++)
        {
            AssertIncr(ctx, 1, 101 + i);
            Assert.Equal(6 - i, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);
            ctx.Time.Advance(TimeSpan.FromSeconds(1));
        }

        ctx.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Null(ctx.Value("hk", "sk"));

        // An expired record counts as absent: base 0 and no TTL.
        AssertIncr(ctx, 1, 1);
        Assert.Equal(-1, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);
    }

    [Fact]
    public void PositiveExpireTs_SetsTheTtl_AndNegativeClearsIt()
    {
        using var ctx = new StoreTestContext();
        AssertIncr(ctx, 100, 100);
        AssertIncr(ctx, 1, 101, -1);
        Assert.Equal(-1, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);

        AssertIncr(ctx, 1, 102, (int)ctx.Now + 15);
        Assert.Equal(15, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);
        AssertIncr(ctx, 1, 103, (int)ctx.Now + 5);
        Assert.Equal(5, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);
        AssertIncr(ctx, 1, 104, -1);
        Assert.Equal(-1, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);

        AssertIncr(ctx, 1, 105, (int)ctx.Now + 5);
        ctx.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.Null(ctx.Value("hk", "sk"));

        // On an expired (absent) record a negative expire time means no TTL, a positive one sets it.
        AssertIncr(ctx, 1, 1, -1);
        Assert.Equal(-1, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);
        ctx.Delete("hk", "sk");
        AssertIncr(ctx, 1, 1, (int)ctx.Now + 5);
        Assert.Equal(5, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);
    }

    [Fact]
    public void OnEmptyValueWithTtl_KeepsTheTtl()
    {
        using var ctx = new StoreTestContext();
        ctx.Set("hk", "sk", "", ctx.Now + 30);
        AssertIncr(ctx, 5, 5);
        Assert.Equal(30, ctx.Ttl("hk", "sk").Ttl.TtlSeconds);
    }

    [Fact]
    public void DefaultExpireTime_GivenOnlyWhenTheRecordWouldHaveNoTtl()
    {
        using var ctx = new StoreTestContext();
        var fallback = ctx.Now + 500;
        DataResponse IncrWithDefault(string sortKey, int expireTs) => ctx.Write(new DataRequest
        {
            Incr = new IncrRequest { HashKey = B("hk"), SortKey = B(sortKey), Increment = 1, ExpireTsSeconds = expireTs, DefaultExpireTsSeconds = fallback },
        });

        // A new record, a kept "no TTL" and a cleared TTL all end up without one: the default applies, as in Pegasus.
        Assert.Equal(ErrorCode.Ok, IncrWithDefault("new", 0).Error);
        Assert.InRange(ctx.Ttl("hk", "new").Ttl.TtlSeconds, 499, 500);
        Assert.Equal(ErrorCode.Ok, ctx.Set("hk", "plain", "1").Error);
        Assert.Equal(ErrorCode.Ok, IncrWithDefault("plain", 0).Error);
        Assert.InRange(ctx.Ttl("hk", "plain").Ttl.TtlSeconds, 499, 500);
        Assert.Equal(ErrorCode.Ok, ctx.Set("hk", "cleared", "1", ctx.Now + 100).Error);
        Assert.Equal(ErrorCode.Ok, IncrWithDefault("cleared", -1).Error);
        Assert.InRange(ctx.Ttl("hk", "cleared").Ttl.TtlSeconds, 499, 500);

        // A record's own TTL, kept or set, wins.
        Assert.Equal(ErrorCode.Ok, ctx.Set("hk", "own", "1", ctx.Now + 100).Error);
        Assert.Equal(ErrorCode.Ok, IncrWithDefault("own", 0).Error);
        Assert.InRange(ctx.Ttl("hk", "own").Ttl.TtlSeconds, 99, 100);
        Assert.Equal(ErrorCode.Ok, IncrWithDefault("set", (int)(ctx.Now + 50)).Error);
        Assert.InRange(ctx.Ttl("hk", "set").Ttl.TtlSeconds, 49, 50);
    }
}
