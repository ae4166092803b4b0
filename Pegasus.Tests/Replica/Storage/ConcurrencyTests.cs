using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Reads_RunConcurrentlyWithTheWriter_AndSeeCommittedValuesInOrder()
    {
        using var ctx = new StoreTestContext();
        const int Writes = 1000;
        using var writerDone = new CancellationTokenSource();
        var incr = new DataRequest { Incr = new IncrRequest { HashKey = B("hk"), SortKey = B("counter"), Increment = 1 } };

        async Task<int> ReadUntilDone()
        {
            await Task.Yield();
            long last = 0;
            var reads = 0;
            while (!writerDone.IsCancellationRequested)
            {
                var response = ctx.Get("hk", "counter");
                if (response.Error == ErrorCode.Ok)
                {
                    var value = long.Parse(response.Get.Value.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture);
                    Assert.True(value >= last, $"read {value} after {last}");
                    last = value;
                }
                else
                {
                    Assert.Equal(ErrorCode.NotFound, response.Error);
                }

                reads++;
            }

            return reads;
        }

        var token = TestContext.Current.CancellationToken;
        var readers = new[] { Task.Run(ReadUntilDone, token), Task.Run(ReadUntilDone, token) };
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < Writes; i++)
            {
                ctx.Write(incr);
            }
        }, token);

        await writer.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        await writerDone.CancelAsync();
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(Writes.ToString(System.Globalization.CultureInfo.InvariantCulture), ctx.Value("hk", "counter"));
        Assert.Equal(Writes, ctx.Store.LastAppliedDecree);
    }

    [Fact]
    public async Task Dispose_WaitsForReadsInFlight_AndLaterReadsAnswerInvalidState()
    {
        using var ctx = new StoreTestContext();
        ctx.MultiSet("hk", Enumerable.Range(0, 200).Select(i => ($"s{i:D3}", "v")));
        using var started = new SemaphoreSlim(0);
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            started.Release();
            var closedSeen = false;
            for (var i = 0; i < 100_000 && !closedSeen; i++)
            {
                var response = ctx.Read(new DataRequest { MultiGet = new MultiGetRequest { HashKey = B("hk"), StartInclusive = true } });
                if (response.Error == ErrorCode.InvalidState)
                {
                    closedSeen = true;
                }
                else
                {
                    Assert.Equal(ErrorCode.Ok, response.Error);
                    Assert.Equal(200, response.MultiGet.Kvs.Count);
                }
            }

            return closedSeen;
        }, TestContext.Current.CancellationToken)).ToArray();

        await started.WaitAsync(TestContext.Current.CancellationToken);
        await started.WaitAsync(TestContext.Current.CancellationToken);
        ctx.Store.Dispose();
        var results = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.All(results, Assert.True);
        ctx.Reopen();
    }
}
