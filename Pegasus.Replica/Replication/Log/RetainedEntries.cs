namespace Pegasus.Replica.Replication.Log;

/// <summary>
/// The log's effective entries, consecutive by decree, in a ring buffer so that reads by decree
/// are an index, appends and truncation at either end are O(1) per entry, and garbage collection
/// from the front does not shift the rest.
/// </summary>
/// <remarks>
/// Each entry also remembers the segment it was written to. Segments hold the effective entries
/// in decree order (a supersede only removes a suffix), so deleting the oldest segments removes
/// exactly a prefix of this buffer.
/// </remarks>
internal sealed class RetainedEntries
{
    private Slot[] _slots = new Slot[64];
    private int _head;

    public int Count { get; private set; }

    /// <summary>The lowest retained decree; 0 when empty.</summary>
    public long FirstDecree => Count == 0 ? 0 : _slots[_head].Entry.Decree;

    public long LastDecree => Count == 0 ? 0 : SlotAt(Count - 1).Entry.Decree;

    /// <summary>The segment index of the oldest entry; 0 when empty.</summary>
    public long FirstSegmentIndex => Count == 0 ? 0 : _slots[_head].SegmentIndex;

    public void Add(in LogEntry entry, long segmentIndex)
    {
        if (Count == _slots.Length)
        {
            Grow();
        }

        _slots[(_head + Count) & (_slots.Length - 1)] = new Slot(entry, segmentIndex);
        Count++;
    }

    public bool TryGet(long decree, out LogEntry entry)
    {
        var position = decree - FirstDecree;
        if (Count == 0 || position < 0 || position >= Count)
        {
            entry = default;
            return false;
        }

        entry = SlotAt((int)position).Entry;
        return true;
    }

    /// <summary>Copies entries from <paramref name="decree"/> (retained) on, as many as fit.</summary>
    public void CopyTo(long decree, Span<LogEntry> destination)
    {
        var start = (int)(decree - FirstDecree);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = SlotAt(start + i).Entry;
        }
    }

    /// <summary>The highest ballot among the entries from <paramref name="decree"/> (retained) on.</summary>
    public long MaxBallotFrom(long decree)
    {
        var max = long.MinValue;
        for (var i = (int)(decree - FirstDecree); i < Count; i++)
        {
            max = Math.Max(max, SlotAt(i).Entry.Ballot);
        }

        return max;
    }

    /// <summary>Drops <paramref name="decree"/> and everything after it.</summary>
    public void RemoveFrom(long decree)
    {
        var keep = (int)Math.Max(0, decree - FirstDecree);
        while (Count > keep)
        {
            // Cleared so that dropped payloads can be collected.
            SlotAt(Count - 1) = default;
            Count--;
        }
    }

    /// <summary>Drops the oldest entries while they were written to a segment at or below <paramref name="segmentIndex"/>.</summary>
    /// <returns>How many entries were dropped.</returns>
    public int RemoveWrittenUpTo(long segmentIndex)
    {
        var removed = 0;
        while (Count > 0 && _slots[_head].SegmentIndex <= segmentIndex)
        {
            _slots[_head] = default;
            _head = (_head + 1) & (_slots.Length - 1);
            Count--;
            removed++;
        }

        return removed;
    }

    public void Clear() => RemoveFrom(FirstDecree);

    private ref Slot SlotAt(int position) => ref _slots[(_head + position) & (_slots.Length - 1)];

    private void Grow()
    {
        // Capacity stays a power of two so that a position maps to a slot with a mask.
        var grown = new Slot[_slots.Length * 2];
        // Only called when full, so the entries are the head's run to the end, then the wrap.
        var tail = _slots.Length - _head;
        Array.Copy(_slots, _head, grown, 0, tail);
        Array.Copy(_slots, 0, grown, tail, _head);

        _slots = grown;
        _head = 0;
    }

    private readonly record struct Slot(LogEntry Entry, long SegmentIndex);
}
