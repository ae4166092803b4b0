using Microsoft.Extensions.Time.Testing;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Replication;

namespace Pegasus.Tests.Replica;

public sealed class CompletedWriteTableTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Record_ThenTryGet_GivesTheAnswer()
    {
        var table = new CompletedWriteTable(TimeSpan.FromMinutes(5), _time);
        var answer = new DataResponse { Decree = 9 };

        table.Record(Write(session: 7, seq: 3, ackedBelow: 1), answer);

        Assert.True(table.TryGet(7, 3, out var found));
        Assert.Same(answer, found);
        Assert.False(table.TryGet(7, 4, out _));
        Assert.False(table.TryGet(8, 3, out _));
    }

    [Fact]
    public void Record_AnswerNotKnown_IsStillRemembered()
    {
        var table = new CompletedWriteTable(TimeSpan.FromMinutes(5), _time);

        table.Record(Write(session: 7, seq: 3, ackedBelow: 1), null);

        Assert.True(table.TryGet(7, 3, out var found));
        Assert.Null(found);
    }

    [Fact]
    public void Record_WithoutASession_IsIgnored()
    {
        var table = new CompletedWriteTable(TimeSpan.FromMinutes(5), _time);

        table.Record(Write(session: 0, seq: 3, ackedBelow: 1), new DataResponse());

        Assert.Equal(0, table.SessionCount);
        Assert.False(table.TryGet(0, 3, out _));
    }

    [Fact]
    public void Record_AckedWatermark_ForgetsTheSessionsAnswersBelowIt()
    {
        var table = new CompletedWriteTable(TimeSpan.FromMinutes(5), _time);
        for (ulong seq = 1; seq <= 10; seq++)
        {
            table.Record(Write(session: 7, seq: seq, ackedBelow: 1), new DataResponse());
        }

        table.Record(Write(session: 7, seq: 12, ackedBelow: 8), new DataResponse());

        Assert.Equal(4, table.Count);
        Assert.False(table.TryGet(7, 7, out _));
        Assert.True(table.TryGet(7, 8, out _));
        Assert.True(table.TryGet(7, 12, out _));
    }

    [Fact]
    public void Record_OlderWatermarkAfterANewerOne_ForgetsNothingMore()
    {
        var table = new CompletedWriteTable(TimeSpan.FromMinutes(5), _time);
        table.Record(Write(session: 7, seq: 5, ackedBelow: 5), new DataResponse());

        // Writes reach a partition out of number order: an older watermark does not bring back what went.
        table.Record(Write(session: 7, seq: 3, ackedBelow: 2), new DataResponse());

        Assert.False(table.TryGet(7, 3, out _));
        Assert.True(table.TryGet(7, 5, out _));
    }

    [Fact]
    public void Record_OtherSessions_KeepTheirAnswers()
    {
        var table = new CompletedWriteTable(TimeSpan.FromMinutes(5), _time);
        table.Record(Write(session: 7, seq: 1, ackedBelow: 1), new DataResponse());

        table.Record(Write(session: 8, seq: 50, ackedBelow: 50), new DataResponse());

        Assert.True(table.TryGet(7, 1, out _));
        Assert.Equal(2, table.SessionCount);
    }

    [Fact]
    public void Record_AfterASessionWasIdleLongEnough_ForgetsThatSession()
    {
        var table = new CompletedWriteTable(TimeSpan.FromMinutes(4), _time);
        table.Record(Write(session: 7, seq: 1, ackedBelow: 1), new DataResponse());
        _time.Advance(TimeSpan.FromMinutes(3));
        table.Record(Write(session: 8, seq: 1, ackedBelow: 1), new DataResponse());
        Assert.True(table.TryGet(7, 1, out _));

        _time.Advance(TimeSpan.FromMinutes(1.5));
        table.Record(Write(session: 8, seq: 2, ackedBelow: 1), new DataResponse());

        Assert.False(table.TryGet(7, 1, out _));
        Assert.True(table.TryGet(8, 1, out _));
        Assert.Equal(1, table.SessionCount);
    }

    private static DataRequest Write(ulong session, ulong seq, ulong ackedBelow) => new()
    {
        WriteSession = session,
        WriteSeq = seq,
        WriteAckedBelow = ackedBelow,
        Set = new SetRequest(),
    };
}
