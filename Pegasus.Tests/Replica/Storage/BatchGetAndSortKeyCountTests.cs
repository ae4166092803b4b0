using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

public sealed class BatchGetAndSortKeyCountTests
{
    [Fact]
    public void BatchGet_ReturnsOnlyLiveRecords_InRequestOrder()
    {
        using var ctx = new StoreTestContext();
        ctx.Set("h1", "s1", "v1");
        ctx.Set("h2", "s2", "v2");
        ctx.Set("h3", "s3", "v3", ctx.Now + 5);
        ctx.Time.Advance(TimeSpan.FromSeconds(5));

        var request = new BatchGetRequest();
        foreach (var (hk, sk) in new[] { ("h2", "s2"), ("missing", "x"), ("h3", "s3"), ("h1", "s1") })
        {
            request.Keys.Add(new FullKey { HashKey = B(hk), SortKey = B(sk) });
        }

        var response = ctx.Read(new DataRequest { BatchGet = request });
        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.Equal(
            [("h2", "s2", "v2"), ("h1", "s1", "v1")],
            response.BatchGet.Data.Select(d => (d.HashKey.ToStringUtf8(), d.SortKey.ToStringUtf8(), d.Value.ToStringUtf8())));

        Assert.Equal(ErrorCode.InvalidArgument, ctx.Read(new DataRequest { BatchGet = new BatchGetRequest() }).Error);
    }

    [Fact]
    public void SortKeyCount_CountsLiveRecordsOfOneHashKeyOnly()
    {
        using var ctx = new StoreTestContext();
        ctx.MultiSet("hk", Enumerable.Range(0, 50).Select(i => ($"s{i}", "v")));
        ctx.MultiSet("hk", Enumerable.Range(0, 20).Select(i => ($"expiring{i}", "v")), ctx.Now + 1);
        ctx.MultiSet("hk2", [("a", "v")]);
        ctx.MultiSet("h", [("a", "v")]);
        Assert.Equal(70, ctx.SortKeyCount("hk"));
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(50, ctx.SortKeyCount("hk"));
        Assert.Equal(0, ctx.SortKeyCount("nothing"));
    }

    [Fact]
    public void SortKeyCount_OverTheIterationTime_AnswersMinusOne()
    {
        // Every clock read moves 1 s; the threshold is 5 s, so the count gives up early.
        using var ctx = new StoreTestContext(configure: o => o.IterationThresholdTime = TimeSpan.FromSeconds(5),
            timeProvider: new SteppingTimeProvider(TimeSpan.FromSeconds(1)));
        ctx.MultiSet("hk", Enumerable.Range(0, 5000).Select(i => ($"s{i:D5}", "v")));
        var response = ctx.Read(new DataRequest { SortKeyCount = new SortKeyCountRequest { HashKey = B("hk") } });
        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.Equal(-1, response.SortKeyCount.Count);
    }
}
