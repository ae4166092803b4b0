using Pegasus.Protocol;

namespace Pegasus.Tests.Replica.Storage;

public sealed class SweepTests
{
    [Fact]
    public void SweepExpired_RemovesExpiredRecordsInBoundedSteps_AndWrapsAround()
    {
        using var ctx = new StoreTestContext();
        for (var i = 0; i < 10; i++)
        {
            ctx.MultiSet($"hk{i}", [("live", "v"), ("ttl", "v")], 0);
            ctx.Set($"hk{i}", "ttl", "v", ctx.Now + 5);
        }

        // Nothing has expired yet: sweeping removes nothing.
        Assert.Equal(0, SweepRepeatedly(ctx, 7));
        ctx.Time.Advance(TimeSpan.FromSeconds(5));

        // Each call examines at most 7 records (at most 7 removals); one pass finds all 10.
        var removedPerCall = new List<int>();
        int removed;
        do
        {
            removed = ctx.Store.SweepExpired(7);
            removedPerCall.Add(removed);
        }
        while (removedPerCall.Sum() < 10 && removedPerCall.Count < 10);

        Assert.All(removedPerCall, r => Assert.InRange(r, 0, 7));
        Assert.Equal(10, removedPerCall.Sum());

        // They are gone from storage, not just hidden: sweeping again finds nothing.
        Assert.Equal(0, SweepRepeatedly(ctx, 7));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("v", ctx.Value($"hk{i}", "live"));
            Assert.Null(ctx.Value($"hk{i}", "ttl"));
        }

        // Records that expire behind the cursor are found after it wraps around.
        ctx.Set("hk0", "late", "v", ctx.Now + 1);
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, SweepRepeatedly(ctx, 3));
    }

    [Fact]
    public void SweepExpired_ExaminesAtMostMaxRecordsPerCall()
    {
        using var ctx = new StoreTestContext();
        ctx.MultiSet("e", Enumerable.Range(0, 10).Select(i => ($"{i}", "v")), ctx.Now + 1);
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([3, 3, 3, 1, 0], Enumerable.Range(0, 5).Select(_ => ctx.Store.SweepExpired(3)));
        Assert.Equal(0, ctx.SortKeyCount("e"));
    }

    [Fact]
    public void SweepExpired_DoesNotConsumeDecrees_AndAllowsLaterWrites()
    {
        using var ctx = new StoreTestContext();
        ctx.Set("hk", "a", "v", ctx.Now + 1);
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, ctx.Store.SweepExpired(100));
        Assert.Equal(1, ctx.Store.LastAppliedDecree);
        Assert.Equal(ErrorCode.Ok, ctx.Set("hk", "a", "again").Error);
        Assert.Equal("again", ctx.Value("hk", "a"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Store.SweepExpired(0));
    }

    [Fact]
    public void Compaction_DropsExpiredRecords_AndKeepsLiveOnes()
    {
        using var ctx = new StoreTestContext();
        ctx.MultiSet("hk", Enumerable.Range(0, 50).Select(i => ($"ttl{i}", "v")), ctx.Now + 10);
        ctx.MultiSet("hk", Enumerable.Range(0, 50).Select(i => ($"live{i}", "v")));
        ctx.MultiSet("hk", Enumerable.Range(0, 50).Select(i => ($"later{i}", "v")), ctx.Now + 1000);
        ctx.Time.Advance(TimeSpan.FromSeconds(10));
        ctx.Store.CompactData();

        // The compaction filter already removed them: a sweep over everything finds nothing.
        Assert.Equal(0, ctx.Store.SweepExpired(1000));
        Assert.Equal(100, ctx.SortKeyCount("hk"));
        Assert.Equal("v", ctx.Value("hk", "later7"));
        ctx.Reopen();
        Assert.Equal(100, ctx.SortKeyCount("hk"));
        Assert.Equal(3, ctx.Store.LastAppliedDecree);
    }

    /// <summary>Sweeps often enough for the cursor to go around several times; returns the total removed.</summary>
    private static int SweepRepeatedly(StoreTestContext ctx, int step)
    {
        // At most 21 records here, so 30 calls of 3 or more records cover at least one full pass.
        var total = 0;
        for (var calls = 0; calls < 30; calls++)
        {
            total += ctx.Store.SweepExpired(step);
        }

        return total;
    }
}
