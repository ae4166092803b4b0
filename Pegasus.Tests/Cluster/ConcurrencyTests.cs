using Pegasus.Protocol.Data;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>Many operations in flight at once on one client's shared streams: every answer matches its request, writes stay atomic.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class ConcurrencyTests(PegasusClusterFixture fixture)
{
    [Fact]
    public async Task ConcurrentSetsAndGets_EveryResponseMatchesItsRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("concurrent_setget", partitionCount: 8);
        const int Count = 1000;

        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => table.SetAsync(B($"h{i}"), B($"s{i % 7}"), B($"value-{i}"), cancellationToken: ct)));
        var values = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => table.GetAsync(B($"h{i}"), B($"s{i % 7}"), cancellationToken: ct)));

        var wrong = Enumerable.Range(0, Count).Where(i => S(values[i]) != $"value-{i}").ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} reads answered another request's value, e.g. h{wrong.FirstOrDefault()} = {S(values[wrong.FirstOrDefault()])}");
    }

    [Fact]
    public async Task ConcurrentIncrOnOneKey_NoIncrementIsLost()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("concurrent_incr", partitionCount: 2);
        const int Count = 300;

        var results = await Task.WhenAll(Enumerable.Range(0, Count).Select(_ => table.IncrAsync(B("h"), B("counter"), 1, cancellationToken: ct)));

        // Each increment saw a different value: they were applied one at a time.
        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), results.Order());
        Assert.Equal(Count.ToString(System.Globalization.CultureInfo.InvariantCulture), S(await table.GetAsync(B("h"), B("counter"), cancellationToken: ct)));
    }

    [Fact]
    public async Task ConcurrentCheckAndSetIfAbsent_ExactlyOneWins()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("concurrent_cas", partitionCount: 2);
        const int Contenders = 50;

        var results = await Task.WhenAll(Enumerable.Range(0, Contenders).Select(i =>
            table.CheckAndSetAsync(B("h"), B("owner"), CheckType.ValueNotExist, [], B("owner"), B($"contender-{i}"), cancellationToken: ct)));

        var winners = Enumerable.Range(0, Contenders).Where(i => results[i].SetSucceed).ToList();
        var winner = Assert.Single(winners);
        Assert.Equal($"contender-{winner}", S(await table.GetAsync(B("h"), B("owner"), cancellationToken: ct)));
    }
}
