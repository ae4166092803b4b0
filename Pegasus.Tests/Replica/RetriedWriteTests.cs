using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Replication;
using static Pegasus.Tests.Replica.ReplicaTestRequests;
using static Pegasus.Tests.Replica.ReplicaTestWaits;

namespace Pegasus.Tests.Replica;

/// <summary>
/// A client retries a write whose answer it lost (its connection broke, or the old primary abandoned it while the new
/// one held it prepared). The retry carries the first attempt's session and number, and must get the first attempt's
/// answer without the write being applied twice: an incr counted once, a check-and-set that succeeded not answered
/// "check failed" by its own retry.
/// </summary>
public sealed class RetriedWriteTests : IAsyncDisposable
{
    private const ulong Session = 0x5eed_0000_0000_0001;
    private const string Self = "http://p:1";
    private const string Other = "http://s:1";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pegasus-retried-write-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly HostedPipeline _replica;

    public RetriedWriteTests()
    {
        _replica = new HostedPipeline(_directory, Self, new PartitionConfig(2, ReplicaRole.Primary, Self, [Other], []), _time);
    }

    public ValueTask DisposeAsync() => _replica.DisposeAsync();

    [Fact]
    public async Task Retry_OfAWriteInFlight_WaitsForTheFirstAttemptAndGetsItsAnswer()
    {
        var first = await EnqueueAsync(Numbered(Incr("hk", "n", 5), 1));
        await WaitUntilAsync(() => PreparedTo(Other, 1));
        var retry = await EnqueueAsync(Numbered(Incr("hk", "n", 5), 1));

        // A later write is prepared only once the retry ahead of it in the queue was dealt with.
        var later = await EnqueueAsync(Numbered(Set("hk", "s", "v"), 2));
        await WaitUntilAsync(() => PreparedTo(Other, 2));
        Assert.False(PreparedTo(Other, 3));
        Assert.False(retry.IsCompleted);

        _replica.Pipeline.OnPrepareAck(Other, new PrepareAck { AppId = 3, Ballot = 2, LastPreparedDecree = 2 });
        var answers = await Task.WhenAll(first, retry, later).WaitAsync(WaitLimit, TestContext.Current.CancellationToken);

        Assert.All(answers, answer => Assert.Equal(ErrorCode.Ok, answer.Error));
        Assert.Equal(5, answers[0].Incr.NewValue);
        Assert.Equal(5, answers[1].Incr.NewValue);
        Assert.Equal(1, answers[1].Decree);
        Assert.Equal(2, _replica.Pipeline.LastCommittedDecree);
    }

    [Fact]
    public async Task SecondaryLags_CountPreparedDecreesNotYetAcknowledged()
    {
        // Not primary of a term until its first write (or wake-up): nothing to measure.
        Assert.Empty(_replica.Pipeline.SecondaryLags());
        var first = await EnqueueAsync(Numbered(Set("hk", "a", "1"), 1));
        var second = await EnqueueAsync(Numbered(Set("hk", "b", "2"), 2));
        await WaitUntilAsync(() => PreparedTo(Other, 2));
        Assert.Equal([(Other, 2L)], _replica.Pipeline.SecondaryLags());

        _replica.Pipeline.OnPrepareAck(Other, new PrepareAck { AppId = 3, Ballot = 2, LastPreparedDecree = 1 });
        Assert.Equal([(Other, 1L)], _replica.Pipeline.SecondaryLags());
        _replica.Pipeline.OnPrepareAck(Other, new PrepareAck { AppId = 3, Ballot = 2, LastPreparedDecree = 2 });
        await Task.WhenAll(first, second).WaitAsync(WaitLimit, TestContext.Current.CancellationToken);

        Assert.Equal([(Other, 0L)], _replica.Pipeline.SecondaryLags());
    }

    [Fact]
    public async Task Retry_OfAnAppliedCheckAndSet_GetsTheFirstAnswerNotACheckFailure()
    {
        await CommitAsync(Numbered(Set("hk", "s", "old"), 1), 1);
        var checkAndSet = new DataRequest
        {
            CheckAndSet = new CheckAndSetRequest
            {
                HashKey = B("hk"),
                CheckSortKey = B("s"),
                CheckType = CheckType.ValueBytesEqual,
                CheckOperand = B("old"),
                SetSortKey = B("s"),
                SetValue = B("new"),
            },
        };
        var first = await CommitAsync(Numbered(checkAndSet, 2), 2);
        Assert.Equal(ErrorCode.Ok, first.Error);

        var retry = await EnqueueAsync(Numbered(checkAndSet.Clone(), 2));
        var answer = await retry.WaitAsync(WaitLimit, TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCode.Ok, answer.Error);
        Assert.Equal(2, answer.Decree);
        Assert.Equal(2, _replica.Pipeline.LastPreparedDecree);
    }

    [Fact]
    public async Task Retry_AtASecondaryPromotedWhileHoldingTheWritePrepared_IsCommittedOnceWithTheReconciledWrite()
    {
        await using var secondary = Secondary();
        var incr = Numbered(Incr("hk", "n", 7), 1);
        Assert.Equal(ErrorCode.Ok, secondary.Pipeline.OnPrepare(Prepare(2, 0, (1, incr)))!.Error);

        // The old primary died before committing; this replica becomes primary and the client's retry arrives.
        secondary.Host.Config = new PartitionConfig(3, ReplicaRole.Primary, Other, [Self], []);
        secondary.Pipeline.OnConfigChanged(secondary.Host.Config);
        var retry = await secondary.Pipeline.EnqueueAsync(incr.Clone(), new DataResponse(), TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => secondary.Host.Sent.Any(sent => sent.Message.Ballot == 3 && sent.Message.Mutations.Any(m => m.Decree == 1)));
        Assert.False(retry.IsCompleted);

        secondary.Pipeline.OnPrepareAck(Self, new PrepareAck { AppId = 3, Ballot = 3, LastPreparedDecree = 1 });
        var answer = await retry.WaitAsync(WaitLimit, TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCode.Ok, answer.Error);
        Assert.Equal(7, answer.Incr.NewValue);
        Assert.Equal(1, answer.Decree);
        Assert.Equal(1, secondary.Pipeline.LastPreparedDecree);
    }

    [Fact]
    public async Task Retry_AtASecondaryPromotedAfterApplyingTheWrite_IsAnsweredFromWhatItApplied()
    {
        await using var secondary = Secondary();
        var incr = Numbered(Incr("hk", "n", 7), 1);
        Assert.Equal(ErrorCode.Ok, secondary.Pipeline.OnPrepare(Prepare(2, 0, (1, incr)))!.Error);
        secondary.Pipeline.OnPrepare(Prepare(2, 1));
        secondary.Pipeline.ApplyCommitted();
        Assert.Equal(1, secondary.Pipeline.LastCommittedDecree);

        // Promoted alone (the old primary is gone): a retry needs no commit to be answered.
        secondary.Host.Config = new PartitionConfig(3, ReplicaRole.Primary, Other, [], []);
        secondary.Pipeline.OnConfigChanged(secondary.Host.Config);
        var answer = await (await secondary.Pipeline.EnqueueAsync(incr.Clone(), new DataResponse(), TestContext.Current.CancellationToken))
            .WaitAsync(WaitLimit, TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCode.Ok, answer.Error);
        Assert.Equal(7, answer.Incr.NewValue);
        Assert.Equal(1, secondary.Pipeline.LastPreparedDecree);
    }

    [Fact]
    public async Task Retry_AfterARestart_IsNotAppliedAgain()
    {
        await using var context = new PipelineTestContext();
        var cancellation = TestContext.Current.CancellationToken;
        Assert.Equal(ErrorCode.Ok, (await context.Pipeline.SubmitAsync(Numbered(Set("hk", "s", "v1"), 1), cancellation)).Error);
        Assert.Equal(ErrorCode.Ok, (await context.Pipeline.SubmitAsync(Numbered(Set("hk", "s", "v2"), 2), cancellation)).Error);
        Assert.Equal(3, (await context.Pipeline.SubmitAsync(Numbered(Incr("hk", "n", 3), 3), cancellation)).Incr.NewValue);

        await context.ReopenAsync();

        // The answers are gone with the process, the log still tells what was applied: a set is answered as done (its
        // answer has nothing more), an incr as not known, and neither is applied again.
        var set = await context.Pipeline.SubmitAsync(Numbered(Set("hk", "s", "v1"), 1), cancellation);
        var incr = await context.Pipeline.SubmitAsync(Numbered(Incr("hk", "n", 3), 3), cancellation);

        Assert.Equal(ErrorCode.Ok, set.Error);
        Assert.Equal(ErrorCode.Timeout, incr.Error);
        Assert.Equal("v2", context.Value("hk", "s"));
        Assert.Equal("3", context.Value("hk", "n"));
        Assert.Equal(3, context.Pipeline.LastPreparedDecree);
    }

    [Fact]
    public async Task Write_WithoutASession_IsAppliedEachTime()
    {
        await using var context = new PipelineTestContext();
        var cancellation = TestContext.Current.CancellationToken;

        await context.Pipeline.SubmitAsync(Incr("hk", "n", 1), cancellation);
        var second = await context.Pipeline.SubmitAsync(Incr("hk", "n", 1), cancellation);

        Assert.Equal(2, second.Incr.NewValue);
    }

    [Fact]
    public async Task Write_NumberedBelowWhatItsClientAcknowledged_IsForgotten()
    {
        await using var context = new PipelineTestContext();
        var cancellation = TestContext.Current.CancellationToken;
        await context.Pipeline.SubmitAsync(Numbered(Incr("hk", "n", 1), 1), cancellation);

        // Write 2 says every write below it was answered: write 1's answer is dropped (a real client never sends it again).
        await context.Pipeline.SubmitAsync(Numbered(Set("hk", "s", "v"), 2, ackedBelow: 2), cancellation);
        var again = await context.Pipeline.SubmitAsync(Numbered(Incr("hk", "n", 1), 1), cancellation);

        Assert.Equal(2, again.Incr.NewValue);
    }

    private static DataRequest Numbered(DataRequest request, ulong seq, ulong ackedBelow = 1)
    {
        request.AppId = 3;
        request.WriteSession = Session;
        request.WriteSeq = seq;
        request.WriteAckedBelow = ackedBelow;
        return request;
    }

    private static PrepareMessage Prepare(long ballot, long committed, params (long Decree, DataRequest Request)[] mutations)
    {
        var message = new PrepareMessage { AppId = 3, Ballot = ballot, CommittedDecree = committed, Primary = Self };
        foreach (var (decree, request) in mutations)
        {
            message.Mutations.Add(new MutationEntry { Ballot = ballot, Decree = decree, Request = request.ToByteString() });
        }

        return message;
    }

    private async Task<Task<DataResponse>> EnqueueAsync(DataRequest request)
        => await _replica.Pipeline.EnqueueAsync(request, new DataResponse { Id = 77 }, TestContext.Current.CancellationToken);

    private bool PreparedTo(string target, long decree)
        => _replica.Host.Sent.Any(sent => sent.Target == target && sent.Message.Mutations.Any(m => m.Decree == decree));

    private async Task<DataResponse> CommitAsync(DataRequest request, long decree)
    {
        var write = await EnqueueAsync(request);
        await WaitUntilAsync(() => PreparedTo(Other, decree));
        _replica.Pipeline.OnPrepareAck(Other, new PrepareAck { AppId = 3, Ballot = 2, LastPreparedDecree = decree });
        return await write.WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
    }

    /// <summary>A second replica of the partition, in its own directory (outside the first's, which goes first).</summary>
    private HostedPipeline Secondary() => new(
        _directory + "-secondary", Other, new PartitionConfig(2, ReplicaRole.Secondary, Self, [Other], []), _time);
}
