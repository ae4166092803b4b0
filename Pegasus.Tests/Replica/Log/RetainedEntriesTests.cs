using Pegasus.Replica.Replication.Log;

namespace Pegasus.Tests.Replica.Log;

public sealed class RetainedEntriesTests
{
    [Fact]
    public void Grow_AfterTheRingWrapped_KeepsDecreeOrder()
    {
        var entries = new RetainedEntries();
        for (var decree = 1L; decree <= 64; decree++)
        {
            entries.Add(new LogEntry(1, decree, ReadOnlyMemory<byte>.Empty), segmentIndex: decree <= 40 ? 1 : 2);
        }

        // Free the front, refill so the ring wraps (capacity is 64), then overflow it.
        Assert.Equal(40, entries.RemoveWrittenUpTo(1));
        for (var decree = 65L; decree <= 200; decree++)
        {
            entries.Add(new LogEntry(2, decree, ReadOnlyMemory<byte>.Empty), segmentIndex: 3);
        }

        Assert.Equal((41, 200, 160), (entries.FirstDecree, entries.LastDecree, entries.Count));
        var all = new LogEntry[entries.Count];
        entries.CopyTo(41, all);
        Assert.Equal(Enumerable.Range(41, 160).Select(d => (long)d), all.Select(e => e.Decree));
        Assert.Equal(2, entries.FirstSegmentIndex);

        entries.RemoveFrom(100);
        Assert.Equal((41, 99), (entries.FirstDecree, entries.LastDecree));
        Assert.Equal(2, entries.MaxBallotFrom(64));
        Assert.True(entries.TryGet(99, out var last));
        Assert.Equal(99, last.Decree);
        Assert.False(entries.TryGet(100, out _));
        Assert.False(entries.TryGet(40, out _));

        entries.Clear();
        Assert.Equal((0, 0, 0), (entries.FirstDecree, entries.LastDecree, entries.Count));
    }
}
