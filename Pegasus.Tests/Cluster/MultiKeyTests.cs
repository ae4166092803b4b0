using System.Globalization;
using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>MultiSet, MultiGet (by keys and by range), MultiDelete and SortKeyCount against real processes.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class MultiKeyTests(PegasusClusterFixture fixture)
{
    private const int RecordCount = 20;

    private static string Sk(int i) => "k" + i.ToString("D2", CultureInfo.InvariantCulture);

    private static string Value(int i) => "v" + i.ToString("D2", CultureInfo.InvariantCulture);

    private static string[] Keys(int from, int toInclusive) => [.. Enumerable.Range(from, toInclusive - from + 1).Select(Sk)];

    /// <summary>A table with <see cref="RecordCount"/> records k00..k19 = v00..v19 under hash key "h".</summary>
    private async Task<PegasusTable> TableWithRecordsAsync(string prefix)
    {
        var table = await fixture.CreateTableAsync(prefix);
        await table.MultiSetAsync(B("h"), Enumerable.Range(0, RecordCount).Select(i => (B(Sk(i)), B(Value(i)))), cancellationToken: TestContext.Current.CancellationToken);
        return table;
    }

    [Fact]
    public async Task MultiGet_BySortKeys_ReturnsThoseFoundInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await TableWithRecordsAsync("multi_bykeys");

        var result = await table.MultiGetAsync(B("h"), [B("k03"), B("absent"), B("k01"), B("k19")], cancellationToken: ct);
        Assert.True(result.Complete);
        Assert.Equal(["k03", "k01", "k19"], SortKeys(result));
        Assert.Equal(["v03", "v01", "v19"], result.Values.Select(kv => S(kv.Value)));

        // No sort keys: the whole hash key, ascending.
        var all = await table.MultiGetAsync(B("h"), cancellationToken: ct);
        Assert.True(all.Complete);
        Assert.Equal(Keys(0, 19), SortKeys(all));

        // No value.
        var keysOnly = await table.MultiGetAsync(B("h"), [B("k05"), B("k06")], new MultiGetOptions { NoValue = true }, cancellationToken: ct);
        Assert.Equal(["k05", "k06"], SortKeys(keysOnly));
        Assert.All(keysOnly.Values, kv => Assert.Empty(kv.Value));

        // A count limit cuts the list short.
        var limited = await table.MultiGetAsync(B("h"), [B("k01"), B("k02"), B("k03"), B("k04")], new MultiGetOptions { MaxCount = 2 }, cancellationToken: ct);
        Assert.False(limited.Complete);
        Assert.Equal(["k01", "k02"], SortKeys(limited));

        // An unknown hash key has nothing.
        var none = await table.MultiGetAsync(B("nobody"), [B("k01")], cancellationToken: ct);
        Assert.True(none.Complete);
        Assert.Empty(none.Values);
    }

    [Fact]
    public async Task MultiGetRange_InclusiveAndExclusiveBounds()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await TableWithRecordsAsync("multi_bounds");

        async Task<string[]> RangeAsync(string start, string stop, bool startInclusive, bool stopInclusive)
        {
            var result = await table.MultiGetRangeAsync(
                B("h"), B(start), B(stop), new MultiGetOptions { StartInclusive = startInclusive, StopInclusive = stopInclusive }, cancellationToken: ct);
            Assert.True(result.Complete, $"[{start}, {stop}] should be complete");
            return SortKeys(result);
        }

        Assert.Equal(Keys(5, 10), await RangeAsync("k05", "k10", true, true));
        Assert.Equal(Keys(6, 10), await RangeAsync("k05", "k10", false, true));
        Assert.Equal(Keys(5, 9), await RangeAsync("k05", "k10", true, false));
        Assert.Equal(Keys(6, 9), await RangeAsync("k05", "k10", false, false));

        // Bounds between existing keys.
        Assert.Equal(Keys(6, 10), await RangeAsync("k055", "k105", false, false));

        // Empty stop: to the end of the hash key (its inclusiveness does not matter); empty start: from the first.
        Assert.Equal(Keys(15, 19), await RangeAsync("k15", "", true, false));
        Assert.Equal(Keys(16, 19), await RangeAsync("k15", "", false, true));
        Assert.Equal(Keys(0, 19), await RangeAsync("", "", true, false));
        Assert.Equal(Keys(0, 3), await RangeAsync("", "k03", true, true));

        // A single key, and empty ranges.
        Assert.Equal(["k07"], await RangeAsync("k07", "k07", true, true));
        Assert.Empty(await RangeAsync("k07", "k07", true, false));
        Assert.Empty(await RangeAsync("k07", "k07", false, true));
        Assert.Empty(await RangeAsync("k10", "k05", true, true));
        Assert.Empty(await RangeAsync("k20", "", true, false));
    }

    [Fact]
    public async Task MultiGetRange_SortKeyFilters()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("multi_filters");
        string[] fruits = ["apple", "apricot", "banana", "grape", "pineapple", "snapple", "zapple"];
        await table.MultiSetAsync(B("fruit"), fruits.Select(f => (B(f), B(f.ToUpperInvariant()))), cancellationToken: ct);

        async Task<string[]> FilterAsync(FilterType type, string pattern, string start = "", string stop = "")
        {
            var result = await table.MultiGetRangeAsync(
                B("fruit"), B(start), B(stop), new MultiGetOptions { SortKeyFilterType = type, SortKeyFilterPattern = B(pattern) }, cancellationToken: ct);
            Assert.True(result.Complete);
            Assert.All(result.Values, kv => Assert.Equal(S(kv.SortKey).ToUpperInvariant(), S(kv.Value)));
            return SortKeys(result);
        }

        Assert.Equal(["apple", "apricot"], await FilterAsync(FilterType.MatchPrefix, "ap"));
        Assert.Equal(["apple", "pineapple", "snapple", "zapple"], await FilterAsync(FilterType.MatchPostfix, "pple"));
        Assert.Equal(["snapple", "zapple"], await FilterAsync(FilterType.MatchAnywhere, "app", start: "r"));
        Assert.Equal(["banana"], await FilterAsync(FilterType.MatchAnywhere, "nan"));
        Assert.Empty(await FilterAsync(FilterType.MatchPrefix, "x"));

        // A filter within a range.
        Assert.Equal(["pineapple"], await FilterAsync(FilterType.MatchPostfix, "apple", start: "b", stop: "s"));

        // An empty pattern matches everything.
        Assert.Equal(fruits, await FilterAsync(FilterType.MatchAnywhere, ""));
    }

    [Fact]
    public async Task MultiGetRange_CountAndSizeLimits_SetCompleteFalse()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await TableWithRecordsAsync("multi_limits");

        var byCount = await table.MultiGetRangeAsync(B("h"), [], [], new MultiGetOptions { MaxCount = 5 }, cancellationToken: ct);
        Assert.False(byCount.Complete);
        Assert.Equal(Keys(0, 4), SortKeys(byCount));

        var roomy = await table.MultiGetRangeAsync(B("h"), [], [], new MultiGetOptions { MaxCount = 100, MaxSize = 1 << 20 }, cancellationToken: ct);
        Assert.True(roomy.Complete);
        Assert.Equal(RecordCount, roomy.Values.Count);

        // Each record is 6 bytes (sort key + value); the server may pass the size limit by one record.
        var bySize = await table.MultiGetRangeAsync(B("h"), [], [], new MultiGetOptions { MaxSize = 15 }, cancellationToken: ct);
        Assert.False(bySize.Complete);
        Assert.InRange(bySize.Values.Count, 2, 3);
        Assert.Equal(Keys(0, bySize.Values.Count - 1), SortKeys(bySize));

        var noValue = await table.MultiGetRangeAsync(B("h"), B("k10"), B("k12"), new MultiGetOptions { NoValue = true, StopInclusive = true }, cancellationToken: ct);
        Assert.True(noValue.Complete);
        Assert.Equal(Keys(10, 12), SortKeys(noValue));
        Assert.All(noValue.Values, kv => Assert.Empty(kv.Value));
    }

    [Fact]
    public async Task MultiGetRange_Reverse_KeepsTheLastRecordsInAscendingOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await TableWithRecordsAsync("multi_reverse");

        var all = await table.MultiGetRangeAsync(B("h"), [], [], new MultiGetOptions { Reverse = true }, cancellationToken: ct);
        Assert.True(all.Complete);
        Assert.Equal(Keys(0, 19), SortKeys(all));

        var lastThree = await table.MultiGetRangeAsync(B("h"), [], [], new MultiGetOptions { Reverse = true, MaxCount = 3 }, cancellationToken: ct);
        Assert.False(lastThree.Complete);
        Assert.Equal(Keys(17, 19), SortKeys(lastThree));
        Assert.Equal(["v17", "v18", "v19"], lastThree.Values.Select(kv => S(kv.Value)));

        // Reverse within bounds: the exclusive stop is skipped, the limit keeps the highest keys.
        var inRange = await table.MultiGetRangeAsync(
            B("h"), B("k05"), B("k10"), new MultiGetOptions { Reverse = true, MaxCount = 2, StartInclusive = true, StopInclusive = false }, cancellationToken: ct);
        Assert.False(inRange.Complete);
        Assert.Equal(["k08", "k09"], SortKeys(inRange));

        var inclusive = await table.MultiGetRangeAsync(
            B("h"), B("k05"), B("k10"), new MultiGetOptions { Reverse = true, StartInclusive = false, StopInclusive = true }, cancellationToken: ct);
        Assert.True(inclusive.Complete);
        Assert.Equal(Keys(6, 10), SortKeys(inclusive));

        var withFilter = await table.MultiGetRangeAsync(
            B("h"), [], [], new MultiGetOptions { Reverse = true, MaxCount = 2, SortKeyFilterType = FilterType.MatchPostfix, SortKeyFilterPattern = B("5") }, cancellationToken: ct);
        Assert.Equal(["k05", "k15"], SortKeys(withFilter));
    }

    [Fact]
    public async Task MultiDeleteAndSortKeyCount()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await TableWithRecordsAsync("multi_delete");
        Assert.Equal(RecordCount, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));
        Assert.Equal(0, await table.SortKeyCountAsync(B("nobody"), cancellationToken: ct));

        // The count is the number of sort keys named, present or not (as in Pegasus).
        var deleted = await table.MultiDeleteAsync(B("h"), [B("k00"), B("k01"), B("k02"), B("absent")], cancellationToken: ct);
        Assert.Equal(4, deleted);
        Assert.Equal(RecordCount - 3, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));
        Assert.Equal(Keys(3, 19), SortKeys(await table.MultiGetAsync(B("h"), cancellationToken: ct)));

        await AssertErrorAsync(ErrorCode.InvalidValue, () => table.MultiDeleteAsync(B("h"), [], cancellationToken: ct));
        await AssertErrorAsync(ErrorCode.InvalidValue, () => table.MultiSetAsync(B("h"), [], cancellationToken: ct));
        Assert.Equal(RecordCount - 3, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));

        // MultiSet overwrites and adds atomically; the TTL applies to every record of it.
        await table.MultiSetAsync(B("h"), [(B("k03"), B("new")), (B("k99"), B("added"))], ttlSeconds: 500, cancellationToken: ct);
        Assert.Equal("new", S(await table.GetAsync(B("h"), B("k03"), cancellationToken: ct)));
        Assert.InRange((await table.TtlAsync(B("h"), B("k99"), cancellationToken: ct))!.Value, 490, 500);
        Assert.InRange((await table.TtlAsync(B("h"), B("k03"), cancellationToken: ct))!.Value, 490, 500);
        Assert.Equal(-1, await table.TtlAsync(B("h"), B("k04"), cancellationToken: ct));
        Assert.Equal(RecordCount - 2, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));

        // Everything deleted: nothing left.
        Assert.Equal(RecordCount - 2, await table.MultiDeleteAsync(B("h"), [.. SortKeys(await table.MultiGetAsync(B("h"), cancellationToken: ct)).Select(B)], cancellationToken: ct));
        Assert.Equal(0, await table.SortKeyCountAsync(B("h"), cancellationToken: ct));
        Assert.Empty((await table.MultiGetAsync(B("h"), cancellationToken: ct)).Values);
    }
}
