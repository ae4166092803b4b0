using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>Multi-get cases after Apache Pegasus's base_api test_basic multi_get(_reverse) and test_range_read.</summary>
public sealed class MultiGetTests
{
    private const string HashKey = "basic_test_multi_get";

    private static readonly string[] AllSortKeys =
        ["", "1", "1-abcdefg", "2", "2-abcdefg", "3", "3-efghijk", "4", "4-hijklmn", "5", "5-hijklmn", "6", "7"];

    public static TheoryData<bool> Directions => [false, true];

    private static StoreTestContext WithPegasusData()
    {
        var ctx = new StoreTestContext();
        ctx.MultiSet(HashKey, AllSortKeys.Select(k => (k, k.Length == 0 ? "0" : k)));

        // Neighbouring hash keys must never leak into the results.
        ctx.MultiSet("basic_test_multi_ge", [("x", "x")]);
        ctx.MultiSet("basic_test_multi_get_", [("y", "y")]);
        ctx.MultiSet("basic_test_multi_gets", [("", "z")]);
        return ctx;
    }

    private static MultiGetRequest Range(string start, string stop, bool startInclusive = true, bool stopInclusive = false, bool reverse = false)
        => new()
        {
            HashKey = B(HashKey),
            StartSortKey = B(start),
            StopSortKey = B(stop),
            StartInclusive = startInclusive,
            StopInclusive = stopInclusive,
            Reverse = reverse,
        };

    /// <summary>An expected outcome: the error and the sort keys in order.</summary>
    private static Outcome R(ErrorCode error, IEnumerable<string> sortKeys) => new(error, string.Join(" | ", sortKeys.Select(k => $"'{k}'")));

    private static Outcome Run(StoreTestContext ctx, MultiGetRequest request)
    {
        var response = ctx.Read(new DataRequest { MultiGet = request });
        var kvs = response.MultiGet?.Kvs ?? [];
        foreach (var kv in kvs)
        {
            // Values mirror sort keys in this data set.
            var expected = kv.SortKey.IsEmpty ? "0" : kv.SortKey.ToStringUtf8();
            Assert.Equal(request.NoValue ? "" : expected, kv.Value.ToStringUtf8());
        }

        return R(response.Error, kvs.Select(kv => kv.SortKey.ToStringUtf8()));
    }

    private readonly record struct Outcome(ErrorCode Error, string SortKeys);

    [Theory]
    [MemberData(nameof(Directions))]
    public void WholeHashKey_AllInclusionFlags(bool reverse)
    {
        using var ctx = WithPegasusData();
        Assert.Equal(R(ErrorCode.Ok, AllSortKeys), Run(ctx, Range("", "", true, false, reverse)));
        Assert.Equal(R(ErrorCode.Ok, AllSortKeys), Run(ctx, Range("", "", true, true, reverse)));

        // An exclusive empty start skips the record whose sort key is empty.
        Assert.Equal(R(ErrorCode.Ok, AllSortKeys[1..]), Run(ctx, Range("", "", false, false, reverse)));
        Assert.Equal(R(ErrorCode.Ok, AllSortKeys[1..]), Run(ctx, Range("", "", false, true, reverse)));
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public void BoundedRanges_RespectInclusion(bool reverse)
    {
        using var ctx = WithPegasusData();
        Assert.Equal(R(ErrorCode.Ok, new[] { "", "1" }), Run(ctx, Range("", "1", true, true, reverse)));
        Assert.Equal(R(ErrorCode.Ok, new[] { "" }), Run(ctx, Range("", "1", true, false, reverse)));
        Assert.Equal(R(ErrorCode.Ok, new[] { "1" }), Run(ctx, Range("", "1", false, true, reverse)));
        Assert.Equal(R(ErrorCode.Ok, Array.Empty<string>()), Run(ctx, Range("", "1", false, false, reverse)));
        Assert.Equal(R(ErrorCode.Ok, new[] { "1" }), Run(ctx, Range("1", "1", true, true, reverse)));
        Assert.Equal(R(ErrorCode.Ok, Array.Empty<string>()), Run(ctx, Range("1", "1", true, false, reverse)));
        Assert.Equal(R(ErrorCode.Ok, Array.Empty<string>()), Run(ctx, Range("1", "1", false, true, reverse)));
        Assert.Equal(R(ErrorCode.Ok, Array.Empty<string>()), Run(ctx, Range("1", "1", false, false, reverse)));
        Assert.Equal(R(ErrorCode.Ok, Array.Empty<string>()), Run(ctx, Range("2", "1", true, true, reverse)));
        Assert.Equal(R(ErrorCode.Ok, new[] { "1-abcdefg", "2", "2-abcdefg", "3" }), Run(ctx, Range("1", "3", false, true, reverse)));
        Assert.Equal(R(ErrorCode.Ok, new[] { "5", "5-hijklmn", "6", "7" }), Run(ctx, Range("5", "", true, false, reverse)));
    }

    [Theory]
    [InlineData(FilterType.MatchAnywhere, "-", new[] { "1-abcdefg", "2-abcdefg", "3-efghijk", "4-hijklmn", "5-hijklmn" })]
    [InlineData(FilterType.MatchAnywhere, "1", new[] { "1", "1-abcdefg" })]
    [InlineData(FilterType.MatchAnywhere, "1-", new[] { "1-abcdefg" })]
    [InlineData(FilterType.MatchAnywhere, "abc", new[] { "1-abcdefg", "2-abcdefg" })]
    [InlineData(FilterType.MatchAnywhere, "", new[] { "", "1", "1-abcdefg", "2", "2-abcdefg", "3", "3-efghijk", "4", "4-hijklmn", "5", "5-hijklmn", "6", "7" })]
    [InlineData(FilterType.MatchPrefix, "1", new[] { "1", "1-abcdefg" })]
    [InlineData(FilterType.MatchPrefix, "1-", new[] { "1-abcdefg" })]
    [InlineData(FilterType.MatchPrefix, "1-x", new string[0])]
    [InlineData(FilterType.MatchPrefix, "abc", new string[0])]
    [InlineData(FilterType.MatchPrefix, "efg", new string[0])]
    [InlineData(FilterType.MatchPostfix, "1-x", new string[0])]
    [InlineData(FilterType.MatchPostfix, "abc", new string[0])]
    [InlineData(FilterType.MatchPostfix, "efg", new[] { "1-abcdefg", "2-abcdefg" })]
    [InlineData(FilterType.MatchPostfix, "ijk", new[] { "3-efghijk" })]
    [InlineData(FilterType.MatchPostfix, "lmn", new[] { "4-hijklmn", "5-hijklmn" })]
    [InlineData(FilterType.MatchPostfix, "5-hijklmn", new[] { "5-hijklmn" })]
    public void SortKeyFilters_SelectMatchingSortKeys(FilterType type, string pattern, string[] expected)
    {
        using var ctx = WithPegasusData();
        foreach (var reverse in new[] { false, true })
        {
            var request = Range("", "", reverse: reverse);
            request.SortKeyFilterType = type;
            request.SortKeyFilterPattern = B(pattern);
            Assert.Equal(R(ErrorCode.Ok, expected), Run(ctx, request));
        }
    }

    [Theory]
    [InlineData("0", "1", true, false, new string[0])]
    [InlineData("0", "1", true, true, new[] { "1" })]
    [InlineData("1", "2", true, true, new[] { "1", "1-abcdefg" })]
    [InlineData("1", "2", false, true, new[] { "1-abcdefg" })]
    [InlineData("1-abcdefg", "2", false, true, new string[0])]
    public void PrefixFilter_CombinesWithRangeBounds(string start, string stop, bool startInclusive, bool stopInclusive, string[] expected)
    {
        using var ctx = WithPegasusData();
        foreach (var reverse in new[] { false, true })
        {
            var request = Range(start, stop, startInclusive, stopInclusive, reverse);
            request.SortKeyFilterType = FilterType.MatchPrefix;
            request.SortKeyFilterPattern = B("1");
            Assert.Equal(R(ErrorCode.Ok, expected), Run(ctx, request));
        }
    }

    [Fact]
    public void MaxKvCount_StopsWithIncomplete_FromTheScanDirection()
    {
        using var ctx = WithPegasusData();
        var forward = Range("", "");
        forward.MaxKvCount = 4;
        Assert.Equal(R(ErrorCode.Incomplete, new[] { "", "1", "1-abcdefg", "2" }), Run(ctx, forward));

        var reverse = Range("", "", reverse: true);
        reverse.MaxKvCount = 4;
        Assert.Equal(R(ErrorCode.Incomplete, new[] { "5", "5-hijklmn", "6", "7" }), Run(ctx, reverse));

        var oneForward = Range("5", "6", true, true);
        oneForward.MaxKvCount = 1;
        Assert.Equal(R(ErrorCode.Incomplete, new[] { "5" }), Run(ctx, oneForward));

        var oneReverse = Range("5", "6", true, true, reverse: true);
        oneReverse.MaxKvCount = 1;
        Assert.Equal(R(ErrorCode.Incomplete, new[] { "6" }), Run(ctx, oneReverse));

        // Exactly as many records as the limit, and nothing else in the hash key: complete.
        var exact = Range("", "");
        exact.MaxKvCount = AllSortKeys.Length;
        Assert.Equal(R(ErrorCode.Ok, AllSortKeys), Run(ctx, exact));
        var exactReverse = Range("", "", reverse: true);
        exactReverse.MaxKvCount = AllSortKeys.Length;
        Assert.Equal(R(ErrorCode.Ok, AllSortKeys), Run(ctx, exactReverse));
    }

    [Fact]
    public void ExpiredRecords_AreSkippedAndDoNotCountTowardTheLimit()
    {
        using var ctx = WithPegasusData();
        ctx.Set(HashKey, "", "expire_value", ctx.Now + 1);
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        var request = Range("", "");
        request.MaxKvCount = 2;
        Assert.Equal(R(ErrorCode.Incomplete, new[] { "1", "1-abcdefg" }), Run(ctx, request));
        Assert.Equal(R(ErrorCode.Ok, AllSortKeys[1..]), Run(ctx, Range("", "")));
    }

    [Fact]
    public void MaxKvSize_StopsOnceTheSizeIsReached()
    {
        using var ctx = WithPegasusData();

        // "" + "0" = 1 byte, "1" + "1" = 2 bytes: after two records the size (3) reaches 3.
        var request = Range("", "");
        request.MaxKvSize = 3;
        Assert.Equal(R(ErrorCode.Incomplete, new[] { "", "1" }), Run(ctx, request));
    }

    [Fact]
    public void NoValue_ReturnsSortKeysOnly()
    {
        using var ctx = WithPegasusData();
        var request = Range("", "");
        request.NoValue = true;
        Assert.Equal(R(ErrorCode.Ok, AllSortKeys), Run(ctx, request));
    }

    [Fact]
    public void InvalidFilterType_IsInvalidArgument()
    {
        using var ctx = WithPegasusData();
        var request = Range("", "");
        request.SortKeyFilterType = (FilterType)9;
        Assert.Equal(ErrorCode.InvalidArgument, Run(ctx, request).Error);
        request.SortKeys.Add(B("1"));
        Assert.Equal(ErrorCode.InvalidArgument, Run(ctx, request).Error);
    }

    [Fact]
    public void BySortKeys_ReturnsLiveRecordsInRequestOrder_WithLimits()
    {
        using var ctx = WithPegasusData();
        ctx.Set(HashKey, "expired", "x", ctx.Now);
        var request = new MultiGetRequest { HashKey = B(HashKey) };
        request.SortKeys.Add([B("3"), B("missing"), B("expired"), B(""), B("1")]);
        Assert.Equal(R(ErrorCode.Ok, new[] { "3", "", "1" }), Run(ctx, request));

        request.MaxKvCount = 2;
        Assert.Equal(R(ErrorCode.Incomplete, new[] { "3", "" }), Run(ctx, request));

        // The size check runs before each record: "3"+"3" = 2 bytes reaches a limit of 2.
        request.MaxKvCount = 0;
        request.MaxKvSize = 2;
        Assert.Equal(R(ErrorCode.Incomplete, new[] { "3" }), Run(ctx, request));

        request.MaxKvSize = 0;
        request.NoValue = true;
        Assert.Equal(R(ErrorCode.Ok, new[] { "3", "", "1" }), Run(ctx, request));
    }

    [Theory]
    [InlineData(50, 50, 100, ErrorCode.Ok, 0)]
    [InlineData(20, 50, 100, ErrorCode.Ok, 30)]
    [InlineData(0, 50, 100, ErrorCode.Ok, 50)]
    [InlineData(3000, 4000, 3500, ErrorCode.Incomplete, 0)]
    [InlineData(500, 4000, 3500, ErrorCode.Incomplete, 2500)]
    [InlineData(0, 4000, 3500, ErrorCode.Incomplete, 3000)]
    [InlineData(3000, 4000, 100, ErrorCode.Incomplete, 0)]
    [InlineData(2950, 4000, 100, ErrorCode.Incomplete, 50)]
    [InlineData(100, 4000, 100, ErrorCode.Incomplete, 100)]
    [InlineData(0, 4000, 100, ErrorCode.Incomplete, 100)]
    public void ServerIterationLimit_CountsExpiredRecords(int expired, int total, int maxKvCount, ErrorCode error, int returned)
    {
        // Pegasus's test_range_read multiget_test with the default 3000-record iteration limit.
        using var ctx = new StoreTestContext();
        if (expired > 0)
        {
            ctx.MultiSet("range_read_hashkey", Enumerable.Range(0, expired).Select(i => ($"1-{i}", "value")), ctx.Now + 1);
            ctx.Time.Advance(TimeSpan.FromSeconds(2));
        }

        if (total > expired)
        {
            ctx.MultiSet("range_read_hashkey", Enumerable.Range(expired, total - expired).Select(i => ($"2-{i}", "value")));
        }

        var response = ctx.Read(new DataRequest
        {
            MultiGet = new MultiGetRequest { HashKey = B("range_read_hashkey"), StartInclusive = true, MaxKvCount = maxKvCount },
        });
        Assert.Equal(error, response.Error);
        Assert.Equal(returned, response.MultiGet.Kvs.Count);
    }

    [Fact]
    public void IterationTimeThreshold_StopsWithIncomplete()
    {
        using var ctx = new StoreTestContext(configure: o => o.IterationThresholdTime = TimeSpan.FromSeconds(3),
            timeProvider: new SteppingTimeProvider(TimeSpan.FromSeconds(1)));
        ctx.MultiSet("hk", Enumerable.Range(0, 2000).Select(i => ($"s{i:D4}", "v")));
        var response = ctx.Read(new DataRequest { MultiGet = new MultiGetRequest { HashKey = B("hk"), StartInclusive = true } });
        Assert.Equal(ErrorCode.Incomplete, response.Error);
        Assert.InRange(response.MultiGet.Kvs.Count, 1, 1999);
    }
}
