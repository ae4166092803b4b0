using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Replication;
using static Pegasus.Tests.Replica.ReplicaTestRequests;
using static Pegasus.Tests.Replica.ReplicaTestWaits;

namespace Pegasus.Tests.Replica;

public sealed class ReplicaWritePipelineTests
{
    [Fact]
    public async Task Submit_Sequential_AssignsConsecutiveDecreesFromOne()
    {
        await using var context = new PipelineTestContext();

        for (var i = 1; i <= 10; i++)
        {
            var response = await context.Pipeline.SubmitAsync(Set("hk", $"sk{i}", $"v{i}"), TestContext.Current.CancellationToken);
            Assert.Equal(ErrorCode.Ok, response.Error);
            Assert.Equal(i, response.Decree);
        }

        Assert.Equal(10, context.Store.LastAppliedDecree);
        Assert.Equal(10, context.Pipeline.LastPreparedDecree);
        Assert.Equal(10, context.Pipeline.LastCommittedDecree);
        Assert.Equal("v7", context.Value("hk", "sk7"));
    }

    [Fact]
    public async Task Enqueue_ManyWithoutWaiting_AppliesInEnqueueOrder()
    {
        await using var context = new PipelineTestContext();
        var completions = new List<Task<DataResponse>>();

        for (var i = 0; i < 300; i++)
        {
            var request = Set("hk", "sk", $"v{i}");
            completions.Add(await context.Pipeline.EnqueueAsync(request, new DataResponse(), TestContext.Current.CancellationToken));
        }

        var responses = await Task.WhenAll(completions);

        // Decrees follow the enqueue order, so the last write enqueued is the one that stays.
        Assert.All(responses, response => Assert.Equal(ErrorCode.Ok, response.Error));
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), responses.Select(response => response.Decree));
        Assert.Equal("v299", context.Value("hk", "sk"));
    }

    [Fact]
    public async Task Submit_ConcurrentSubmitters_GetDistinctContiguousDecreesAndAtomicIncrements()
    {
        const int Submitters = 8;
        const int WritesEach = 100;
        await using var context = new PipelineTestContext();

        var results = await Task.WhenAll(Enumerable.Range(0, Submitters).Select(submitter => Task.Run(async () =>
        {
            var decrees = new List<long>();
            for (var i = 0; i < WritesEach; i++)
            {
                // Every submitter increments the same counter: a read-modify-write that only a
                // single writer keeps exact.
                var response = await context.Pipeline.SubmitAsync(Incr("counter", "n", 1));
                Assert.Equal(ErrorCode.Ok, response.Error);
                decrees.Add(response.Decree);
            }

            return decrees;
        })));

        var all = results.SelectMany(decrees => decrees).Order().ToList();
        Assert.Equal(Enumerable.Range(1, Submitters * WritesEach).Select(i => (long)i), all);
        Assert.All(results, decrees => Assert.Equal(decrees.Order(), decrees));
        Assert.Equal((Submitters * WritesEach).ToString(System.Globalization.CultureInfo.InvariantCulture), context.Value("counter", "n"));
        Assert.Equal(Submitters * WritesEach, context.Store.LastAppliedDecree);
    }

    [Fact]
    public async Task Loop_WritesQueuedWhileBusy_AreTakenInOneBatch()
    {
        using var gate = new FirstBatchGate(ballot: 5);
        await using var context = new PipelineTestContext(ballot: gate.Ballot);
        var first = await context.Pipeline.EnqueueAsync(Set("hk", "first", "v"), new DataResponse(), TestContext.Current.CancellationToken);
        gate.WaitUntilEntered();

        var queued = new List<Task<DataResponse>>();
        for (var i = 0; i < 50; i++)
        {
            queued.Add(await context.Pipeline.EnqueueAsync(Set("hk", $"sk{i}", "v"), new DataResponse(), TestContext.Current.CancellationToken));
        }

        gate.Release();
        var responses = await Task.WhenAll(queued.Prepend(first));

        Assert.All(responses, response => Assert.Equal(ErrorCode.Ok, response.Error));
        Assert.Equal(2, gate.Batches);
        Assert.Equal(51, context.Store.LastAppliedDecree);
    }

    [Fact]
    public async Task Reopen_DecreesContinueAfterLastApplied()
    {
        await using var context = new PipelineTestContext();
        for (var i = 0; i < 5; i++)
        {
            await context.Pipeline.SubmitAsync(Set("hk", $"sk{i}", "v"), TestContext.Current.CancellationToken);
        }

        await context.ReopenAsync();
        var response = await context.Pipeline.SubmitAsync(Set("hk", "after", "v"), TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.Equal(6, response.Decree);
        Assert.Equal("v", context.Value("hk", "sk4"));
    }

    [Fact]
    public async Task InvalidWrite_ConsumesItsDecreeAndReportsTheError()
    {
        await using var context = new PipelineTestContext();
        var tooLong = new string('h', Pegasus.Protocol.Keys.KeyLimits.MaxHashKeyLength + 1);

        var invalid = await context.Pipeline.SubmitAsync(Set(tooLong, "sk", "v"), TestContext.Current.CancellationToken);
        var valid = await context.Pipeline.SubmitAsync(Set("hk", "sk", "v"), TestContext.Current.CancellationToken);

        Assert.NotEqual(ErrorCode.Ok, invalid.Error);
        Assert.Equal(1, invalid.Decree);
        Assert.Equal(ErrorCode.Ok, valid.Error);
        Assert.Equal(2, valid.Decree);
    }

    [Fact]
    public async Task Dispose_RejectsQueuedAndLaterWritesWithoutApplyingThem()
    {
        using var gate = new FirstBatchGate(ballot: 1);
        await using var context = new PipelineTestContext(ballot: gate.Ballot);
        var first = await context.Pipeline.EnqueueAsync(Set("hk", "first", "v"), new DataResponse(), TestContext.Current.CancellationToken);
        gate.WaitUntilEntered();
        var queued = await context.Pipeline.EnqueueAsync(Set("hk", "queued", "v"), new DataResponse(), TestContext.Current.CancellationToken);

        // Closing starts while the loop is inside its first batch; that batch still completes.
        var disposing = context.Pipeline.DisposeAsync();
        gate.Release();
        await disposing;
        var late = await context.Pipeline.SubmitAsync(Set("hk", "late", "v"), TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCode.Ok, (await first).Error);
        Assert.Equal(ErrorCode.InvalidState, (await queued).Error);
        Assert.Equal(ErrorCode.InvalidState, late.Error);
        Assert.Equal(1, context.Store.LastAppliedDecree);
        Assert.Null(context.Value("hk", "queued"));
    }

    [Fact]
    public async Task SweepTimer_RemovesExpiredRecordsInTheWriterLoop_ContinuingPastOneStep()
    {
        var settings = WritePipelineSettings.Default with { ExpiredSweepInterval = TimeSpan.FromMinutes(1), ExpiredSweepBatchSize = 2 };
        await using var context = new PipelineTestContext(settings);
        var now = Pegasus.Protocol.Time.PegasusEpoch.SecondsSinceEpoch(context.Time.GetUtcNow());
        for (var i = 0; i < 5; i++)
        {
            await context.Pipeline.SubmitAsync(Set("expiring", $"sk{i}", "v", expireTs: now + 10), TestContext.Current.CancellationToken);
        }

        await context.Pipeline.SubmitAsync(Set("lasting", "sk", "v"), TestContext.Current.CancellationToken);
        Assert.Equal(0, context.Pipeline.ExpiredSwept);

        // One tick: a step examines two records and the sweep keeps stepping while steps remove some.
        context.Time.Advance(TimeSpan.FromSeconds(61));
        await WaitUntilAsync(() => context.Pipeline.ExpiredSwept == 5);

        Assert.Equal("v", context.Value("lasting", "sk"));
        var write = await context.Pipeline.SubmitAsync(Set("hk", "after-sweep", "v"), TestContext.Current.CancellationToken);
        Assert.Equal(7, write.Decree);
    }

    /// <summary>
    /// Holds the write loop inside its first batch: the ballot is read once per batch (stage 1), so
    /// the ballot function this gate hands out blocks there until <see cref="Release"/>.
    /// </summary>
    private sealed class FirstBatchGate(long ballot) : IDisposable
    {
        private readonly ManualResetEventSlim _entered = new();
        private readonly ManualResetEventSlim _release = new();
        private int _batches;

        /// <summary>Gets how many batches have read the ballot.</summary>
        public int Batches => Volatile.Read(ref _batches);

        /// <summary>The pipeline's ballot function.</summary>
        /// <returns>The ballot.</returns>
        public long Ballot()
        {
            if (Interlocked.Increment(ref _batches) == 1)
            {
                _entered.Set();
                _release.Wait(WaitLimit);
            }

            return ballot;
        }

        /// <summary>Waits until the loop is inside its first batch.</summary>
        public void WaitUntilEntered() => Assert.True(_entered.Wait(WaitLimit, TestContext.Current.CancellationToken));

        /// <summary>Lets the first batch go on.</summary>
        public void Release() => _release.Set();

        /// <inheritdoc />
        public void Dispose()
        {
            _entered.Dispose();
            _release.Dispose();
        }
    }
}
