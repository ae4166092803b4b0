using Pegasus.Replica.Replication.Log;
using static Pegasus.Tests.Replica.Log.MutationLogTestContext;

namespace Pegasus.Tests.Replica.Log;

public sealed class MutationLogTests
{
    private const int SmallSegmentBytes = 1000; // three 2-entry batches of 150-byte payloads per segment

    [Fact]
    public void Append_ThenReadAndReopen_RoundTrips()
    {
        using var context = new MutationLogTestContext();
        var log = context.Log;
        Assert.Equal((0, 0, 0, 0), (log.FirstDecree, log.LastDecree, log.LastBallot, log.Count));

        log.Append([Entry(3, 1, 0), Entry(3, 2, 1), Entry(3, 3, 5000)]);
        log.Append(Batch(4, 4, 3));

        void Check(MutationLog l)
        {
            Assert.Equal((1, 6, 4, 6), (l.FirstDecree, l.LastDecree, l.LastBallot, l.Count));
            Assert.True(l.TryGet(3, out var third));
            Assert.Equal((3L, 3L), (third.Ballot, third.Decree));
            Assert.True(HasPattern(third, 5000));
            Assert.True(l.TryGet(1, out var empty));
            Assert.True(empty.Payload.IsEmpty);
            Assert.False(l.TryGet(0, out _));
            Assert.False(l.TryGet(7, out _));
            Assert.Equal([4L, 5L], l.ReadFrom(4, maxCount: 2).Select(e => e.Decree));
            Assert.Equal([6L], l.ReadFrom(6).Select(e => e.Decree));
            Assert.Empty(l.ReadFrom(7));
            Assert.Empty(l.ReadFrom(1, maxCount: 0));
            Assert.All(l.ReadFrom(4), e => Assert.True(HasPattern(e)));
        }

        Check(log);
        context.Reopen();
        Check(context.Log);
        Assert.Empty(context.Cuts());
    }

    [Fact]
    public void Append_ManyBatches_WritesOneRecordPerEntryAndReplaysAll()
    {
        using var context = new MutationLogTestContext();
        for (var batch = 0; batch < 200; batch++)
        {
            context.Log.Append(Batch(1, 1 + (batch * 64L), 64));
        }

        var file = Assert.Single(context.SegmentFiles());
        Assert.Equal(RecordOffset(200 * 64), new FileInfo(file).Length);

        context.Reopen();
        AssertEntries(context.Log, 1, 200 * 64, _ => 1);
    }

    [Fact]
    public void Append_BelowLastDecree_SupersedesTailInMemoryAndAfterReopen()
    {
        using var context = new MutationLogTestContext();
        context.Log.Append(Batch(1, 1, 10));

        // A new primary at ballot 2 re-prepares from decree 6: 6..10 of ballot 1 are discarded.
        context.Log.Append(Batch(2, 6, 2));
        AssertEntries(context.Log, 1, 7, d => d < 6 ? 1 : 2);

        // The same ballot may re-prepare too (a primary resending), and so may a later one.
        context.Log.Append(Batch(2, 7, 3));
        context.Log.Append(Batch(5, 9, 1));
        AssertEntries(context.Log, 1, 9, d => d < 6 ? 1 : d < 9 ? 2 : 5);

        context.Reopen();
        AssertEntries(context.Log, 1, 9, d => d < 6 ? 1 : d < 9 ? 2 : 5);
        context.Log.Append(Batch(5, 10, 1));
        Assert.Equal(10, context.Log.LastDecree);
    }

    [Fact]
    public void Append_SupersedingWithLowerBallot_ThrowsAndChangesNothing()
    {
        using var context = new MutationLogTestContext();
        context.Log.Append(Batch(1, 1, 3));
        context.Log.Append(Batch(3, 4, 3));

        var error = Assert.Throws<InvalidOperationException>(() => context.Log.Append(Batch(2, 5, 1)));
        Assert.Contains("ballot", error.Message, StringComparison.Ordinal);
        // Decree 3 has ballot 1, but the batch would also discard 4..6 of ballot 3.
        Assert.Throws<InvalidOperationException>(() => context.Log.Append(Batch(2, 3, 1)));

        AssertEntries(context.Log, 1, 6, d => d < 4 ? 1 : 3);
        context.Reopen();
        AssertEntries(context.Log, 1, 6, d => d < 4 ? 1 : 3);
    }

    [Fact]
    public void Append_InvalidSequence_Throws()
    {
        using var context = new MutationLogTestContext();
        var gap = Assert.Throws<InvalidOperationException>(() => context.Log.Append(Batch(1, 2, 1)));
        Assert.Contains("gap", gap.Message, StringComparison.Ordinal);

        context.Log.Append(Batch(1, 1, 3));
        Assert.Throws<InvalidOperationException>(() => context.Log.Append(Batch(1, 5, 1)));
        Assert.Throws<ArgumentException>(() => context.Log.Append([Entry(1, 4), Entry(1, 6)]));
        Assert.Throws<ArgumentException>(() => context.Log.Append([Entry(1, 5), Entry(1, 4)]));
        Assert.Throws<ArgumentException>(() => context.Log.Append([Entry(1, 0)]));
        context.Log.Append([]);

        AssertEntries(context.Log, 1, 3, _ => 1);
        Assert.Equal(RecordOffset(3), new FileInfo(Assert.Single(context.SegmentFiles())).Length);
    }

    [Fact]
    public void Append_SupersedingAcrossSegmentRoll_ReplaysBySegmentIndex()
    {
        using var context = new MutationLogTestContext(options => options.SegmentBytes = SmallSegmentBytes);
        context.AppendThrough(12);
        Assert.Equal(2, context.SegmentFiles().Length);

        // The third segment starts at decree 5, below the second's 7: its index, not its decree, orders it.
        context.Log.Append(Batch(2, 5, 2));
        Assert.Equal(["log.1.1.plog", "log.2.7.plog", "log.3.5.plog"], context.SegmentFiles().Select(Path.GetFileName));
        AssertEntries(context.Log, 1, 6, d => d < 5 ? 1 : 2);

        context.Reopen();
        AssertEntries(context.Log, 1, 6, d => d < 5 ? 1 : 2);

        // Segment 1 only holds decrees below 7, but segment 2 holds 7..12 (all superseded) so it
        // stays; dropping segment 1's entries leaves 5 and 6, written to segment 3.
        context.Log.TruncateBelow(7);
        Assert.Equal(2, context.SegmentFiles().Length);
        AssertEntries(context.Log, 5, 6, _ => 2);
        context.Reopen();
        AssertEntries(context.Log, 5, 6, _ => 2);
        Assert.Empty(context.Cuts());
    }

    [Fact]
    public void TruncateBelow_DeletesWholeSegmentsAndKeepsRestReadableAfterReopen()
    {
        using var context = new MutationLogTestContext(options => options.SegmentBytes = SmallSegmentBytes);
        context.AppendThrough(24);
        Assert.Equal(4, context.SegmentFiles().Length);

        // Segment 3 (13..18) holds decree 13, so only segments 1 and 2 go.
        context.Log.TruncateBelow(14);
        Assert.Equal(["log.3.13.plog", "log.4.19.plog"], context.SegmentFiles().Select(Path.GetFileName));
        AssertEntries(context.Log, 13, 24, _ => 1);
        Assert.Equal(13, context.Log.ReadFrom(1)[0].Decree);

        // The active segment is never deleted, so the log keeps its last decree.
        context.Log.TruncateBelow(100);
        Assert.Equal(["log.4.19.plog"], context.SegmentFiles().Select(Path.GetFileName));
        AssertEntries(context.Log, 19, 24, _ => 1);

        context.Reopen();
        AssertEntries(context.Log, 19, 24, _ => 1);
        context.AppendThrough(30);
        context.Reopen();
        AssertEntries(context.Log, 19, 30, _ => 1);
    }

    [Fact]
    public void Reset_ThenReopen_KeepsBaseDecreeAndAcceptsTheNext()
    {
        using var context = new MutationLogTestContext(options => options.SegmentBytes = SmallSegmentBytes);
        context.AppendThrough(20);
        context.Log.Reset(100);
        Assert.Equal((0, 100, 0, 0), (context.Log.FirstDecree, context.Log.LastDecree, context.Log.LastBallot, context.Log.Count));
        Assert.Single(context.SegmentFiles());

        context.Reopen();
        Assert.Equal((0, 100, 0), (context.Log.FirstDecree, context.Log.LastDecree, context.Log.Count));
        Assert.Throws<InvalidOperationException>(() => context.Log.Append(Batch(2, 100, 1)));
        Assert.Throws<InvalidOperationException>(() => context.Log.Append(Batch(2, 102, 1)));
        context.Log.Append(Batch(2, 101, 2));

        context.Reopen();
        AssertEntries(context.Log, 101, 102, _ => 2);
    }

    [Fact]
    public void Reset_WhenOldSegmentsSurviveACrash_ReplayDiscardsThem()
    {
        using var context = new MutationLogTestContext();
        context.AppendThrough(10);
        context.Log.Dispose();
        var old = context.SegmentFiles().Select(path => (path, File.ReadAllBytes(path))).ToArray();

        // A checkpoint below the old tail: the old decrees 6..10 must not come back.
        context.Reopen();
        context.Log.Reset(5);
        context.Log.Dispose();
        foreach (var (path, bytes) in old)
        {
            File.WriteAllBytes(path, bytes);
        }

        // Damaged, too: it must not matter, since Open deletes what precedes a reset unread.
        FlipByte(old[0].path, RecordOffset(9) + 30);

        context.Reopen();
        Assert.Equal((0, 5, 0), (context.Log.FirstDecree, context.Log.LastDecree, context.Log.Count));
        Assert.DoesNotContain(old[0].path, context.SegmentFiles());
        Assert.Empty(context.Cuts());
        context.Log.Append(Batch(2, 6, 1));
        context.Reopen();
        AssertEntries(context.Log, 6, 6, _ => 2);
    }

    [Fact]
    public void AlwaysMode_AppendIsDurableWhenItReturns()
    {
        using var context = new MutationLogTestContext(options => options.FlushMode = LogFlushMode.Always);
        for (var decree = 1L; decree <= 20; decree += 4)
        {
            context.Log.Append(Batch(1, decree, 4));
            Assert.Equal(decree + 3, context.Log.DurableDecree);
        }

        context.Log.Append(Batch(2, 10, 1));
        Assert.Equal(10, context.Log.DurableDecree);
        context.Reopen();
        AssertEntries(context.Log, 1, 10, d => d < 10 ? 1 : 2);
    }

    [Fact]
    public void IntervalMode_TimerFsyncsWhatWasWritten()
    {
        using var context = new MutationLogTestContext(options => options.FsyncInterval = TimeSpan.FromMilliseconds(100));
        context.Log.Append(Batch(1, 1, 8));
        Assert.Equal(0, context.Log.DurableDecree);

        context.Time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(0, context.Log.DurableDecree);
        context.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(8, context.Log.DurableDecree);

        // A supersede makes the rewritten decrees not durable until the next tick.
        context.Log.Append(Batch(2, 5, 1));
        Assert.Equal(4, context.Log.DurableDecree);
        context.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(5, context.Log.DurableDecree);

        context.Log.Append(Batch(2, 6, 1));
        context.Log.Flush(fsync: false);
        Assert.Equal(5, context.Log.DurableDecree);
        context.Log.Flush(fsync: true);
        Assert.Equal(6, context.Log.DurableDecree);
    }

    [Fact]
    public async Task ReadFrom_ConcurrentWithAppends_SeesConsecutiveEntries()
    {
        // The real clock, so the fsync timer runs against the writer and readers too.
        using var context = new MutationLogTestContext(
            options => { options.SegmentBytes = 16 * 1024; options.FsyncInterval = TimeSpan.FromMilliseconds(1); },
            TimeProvider.System);
        var log = context.Log;
        using var done = new CancellationTokenSource();

        var writer = Task.Run(() =>
        {
            try
            {
                var ballot = 1L;
                for (var round = 0; round < 2000; round++)
                {
                    var first = log.LastDecree + 1;
                    if (round % 50 == 49)
                    {
                        // A new primary re-prepares the last few decrees.
                        ballot++;
                        first = Math.Max(log.FirstDecree, first - 5);
                    }

                    log.Append(Batch(ballot, first, 8, payloadBytes: 64));
                    if (round % 100 == 99)
                    {
                        log.TruncateBelow(log.LastDecree - 200);
                    }
                }
            }
            finally
            {
                done.Cancel();
            }
        }, TestContext.Current.CancellationToken);

        Task Reader(int seed) => Task.Run(() =>
        {
            var random = new Random(seed);
            var reads = 0;
            while (!done.IsCancellationRequested || reads < 100)
            {
                var from = log.LastDecree - random.Next(0, 300);
                var entries = log.ReadFrom(from, maxCount: 64);
                for (var i = 0; i < entries.Count; i++)
                {
                    Assert.True(i == 0 || entries[i].Decree == entries[i - 1].Decree + 1, "entries are not consecutive");
                    Assert.True(HasPattern(entries[i], 64), $"decree {entries[i].Decree} has a damaged payload");
                }

                if (log.TryGet(from, out var entry))
                {
                    Assert.Equal(from, entry.Decree);
                }

                if (reads % 50 == 0)
                {
                    log.Flush(fsync: true);
                }

                reads++;
            }
        }, TestContext.Current.CancellationToken);

        await Task.WhenAll(writer, Reader(1), Reader(2));
        var lastDecree = log.LastDecree;
        context.Reopen();
        Assert.Equal(lastDecree, context.Log.LastDecree);
        Assert.Empty(context.Cuts());
    }

    [Fact]
    public void Dispose_ThenReopen_KeepsEverythingAndRefusesUse()
    {
        using var context = new MutationLogTestContext();
        context.AppendThrough(9, batchSize: 3);
        var log = context.Log;
        log.Dispose();
        log.Dispose();

        Assert.Throws<ObjectDisposedException>(() => log.Append(Batch(1, 10, 1)));
        Assert.Throws<ObjectDisposedException>(() => log.ReadFrom(1));
        Assert.Throws<ObjectDisposedException>(() => log.TryGet(1, out _));
        Assert.Throws<ObjectDisposedException>(() => log.Flush(fsync: true));

        context.Reopen();
        AssertEntries(context.Log, 1, 9, _ => 1);
        Assert.Equal(9, context.Log.DurableDecree);
    }

    [Fact]
    public void Open_DirectoryAlreadyOpen_Throws()
    {
        using var context = new MutationLogTestContext();
        Assert.ThrowsAny<IOException>(() => context.Open());
    }

    [Fact]
    public void Crc32C_MatchesTheStandardCheckValue()
        => Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
}
