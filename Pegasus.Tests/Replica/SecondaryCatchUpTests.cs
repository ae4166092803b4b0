using Microsoft.Extensions.Time.Testing;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Replication;
using static Pegasus.Tests.Replica.ReplicaTestRequests;
using static Pegasus.Tests.Replica.ReplicaTestWaits;

namespace Pegasus.Tests.Replica;

/// <summary>
/// A member can follow a new ballot before its primary hears of it and then refuses the primary's prepares of the old
/// ballot. Once the primary follows the new ballot it must send the member what it missed: a secondary the decrees in
/// flight, a learner that joined (at its own request) also what was committed without it meanwhile.
/// </summary>
public sealed class SecondaryCatchUpTests : IAsyncDisposable
{
    private const string Self = "http://p:1";
    private const string Secondary = "http://s:1";
    private const string Learner = "http://t:1";

    private readonly HostedPipeline _replica = new(
        Path.Combine(Path.GetTempPath(), "pegasus-catch-up-tests", Guid.NewGuid().ToString("N")),
        Self,
        new PartitionConfig(2, ReplicaRole.Primary, Self, [Secondary], [Learner]),
        new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero)));

    public ValueTask DisposeAsync() => _replica.DisposeAsync();

    [Fact]
    public async Task OnConfigChanged_ALearnerJoinedThatRefusedTheOldBallot_GetsTheMissedDecreesAgain()
    {
        await WriteAsync(1, "v1");
        var tail = _replica.Pipeline.FetchLogTail(Learner, 1);
        Assert.True(tail.Complete);

        // The learner joined and follows ballot 3: it refuses decree 2, and is sent nothing more; 2 and 3 are committed
        // with the secondary alone.
        await WriteAsync(2, "v2", learnerRefuses: true);
        await WriteAsync(3, "v3");
        Assert.DoesNotContain(_replica.Host.Sent, sent => sent.Target == Learner && sent.Message.Mutations.Any(m => m.Decree == 3));
        _replica.Host.Sent.Clear();

        _replica.Host.Config = new PartitionConfig(3, ReplicaRole.Primary, Self, [Secondary, Learner], []);
        _replica.Pipeline.OnConfigChanged(_replica.Host.Config);

        var resent = Assert.Single(_replica.Host.Sent, sent => sent.Target == Learner && sent.Message.Mutations.Count > 0).Message;
        Assert.Equal(3, resent.Ballot);
        Assert.Equal([2L, 3L], resent.Mutations.Select(m => m.Decree));
        Assert.Equal(3, resent.CommittedDecree);
        Assert.DoesNotContain(_replica.Host.Sent, sent => sent.Target == Secondary && sent.Message.Mutations.Count > 0);
        Assert.Empty(_replica.Host.Reported);

        // A later change (nothing joined) sends nothing again.
        _replica.Host.Sent.Clear();
        _replica.Host.Config = new PartitionConfig(4, ReplicaRole.Primary, Self, [Secondary, Learner], []);
        _replica.Pipeline.OnConfigChanged(_replica.Host.Config);
        Assert.DoesNotContain(_replica.Host.Sent, sent => sent.Message.Mutations.Count > 0);
    }

    [Fact]
    public async Task OnConfigChanged_ALearnerThatMissedNothing_GetsNothingAgain()
    {
        await WriteAsync(1, "v1");
        Assert.True(_replica.Pipeline.FetchLogTail(Learner, 1).Complete);
        await WriteAsync(2, "v2", learnerAcks: true);
        _replica.Host.Sent.Clear();

        _replica.Host.Config = new PartitionConfig(3, ReplicaRole.Primary, Self, [Secondary, Learner], []);
        _replica.Pipeline.OnConfigChanged(_replica.Host.Config);

        Assert.DoesNotContain(_replica.Host.Sent, sent => sent.Message.Mutations.Count > 0);
    }

    [Fact]
    public async Task OnConfigChanged_ASecondaryThatRefusedTheOldBallot_GetsTheDecreeAgainAndIsNotReported()
    {
        await WriteAsync(1, "v1");
        var write = await _replica.Pipeline.EnqueueAsync(Set("hk", "sk2", "v2"), new Pegasus.Protocol.Data.DataResponse(), TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => _replica.Host.Sent.Any(sent => sent.Target == Secondary && sent.Message.Mutations.Any(m => m.Decree == 2)));

        // The secondary heard of ballot 3 first and refuses decree 2 of ballot 2: not a reason to remove it.
        _replica.Pipeline.OnPrepareAck(Secondary, new PrepareAck { AppId = 3, Ballot = 3, Error = ErrorCode.StaleBallot, ErrorMessage = "ballot 2 is older" });
        Assert.Empty(_replica.Host.Reported);
        Assert.False(write.IsCompleted);
        _replica.Host.Sent.Clear();

        _replica.Host.Config = new PartitionConfig(3, ReplicaRole.Primary, Self, [Secondary], [Learner]);
        _replica.Pipeline.OnConfigChanged(_replica.Host.Config);

        var resent = Assert.Single(_replica.Host.Sent, sent => sent.Target == Secondary && sent.Message.Mutations.Count > 0).Message;
        Assert.Equal(3, resent.Ballot);
        Assert.Equal([2L], resent.Mutations.Select(m => m.Decree));
        _replica.Pipeline.OnPrepareAck(Secondary, new PrepareAck { AppId = 3, Ballot = 3, LastPreparedDecree = 2 });
        var response = await write.WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.Equal(2, response.Decree);
        Assert.Empty(_replica.Host.Reported);
    }

    /// <summary>Writes one record: the secondary acknowledges; the learner (when streaming) refuses, acknowledges, or stays silent.</summary>
    private async Task WriteAsync(long decree, string value, bool learnerRefuses = false, bool learnerAcks = false)
    {
        var write = await _replica.Pipeline.EnqueueAsync(Set("hk", "sk" + decree, value), new Pegasus.Protocol.Data.DataResponse(), TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => _replica.Host.Sent.Any(sent => sent.Target == Secondary && sent.Message.Mutations.Any(m => m.Decree == decree)));
        if (learnerRefuses)
        {
            _replica.Pipeline.OnPrepareAck(Learner, new PrepareAck { AppId = 3, Ballot = 3, Error = ErrorCode.StaleBallot, ErrorMessage = "ballot 2 is older" });
        }
        else if (learnerAcks)
        {
            _replica.Pipeline.OnPrepareAck(Learner, new PrepareAck { AppId = 3, Ballot = 2, LastPreparedDecree = decree });
        }

        _replica.Pipeline.OnPrepareAck(Secondary, new PrepareAck { AppId = 3, Ballot = 2, LastPreparedDecree = decree });
        var response = await write.WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCode.Ok, response.Error);
        Assert.Equal(decree, response.Decree);
    }
}
