namespace Pegasus.Replica.Storage;

/// <summary>
/// Open scan contexts by id (Pegasus's <c>pegasus_context_cache</c>). Taking a context removes
/// it, so one context is never used by two requests at once; putting it back gives it a new id,
/// as in Pegasus, so a late duplicate of an old request cannot continue someone's scan.
/// Contexts idle longer than the timeout, or beyond the capacity, are freed.
/// </summary>
internal sealed class ScanContextTable(TimeProvider timeProvider, TimeSpan timeout, int capacity) : IDisposable
{
    private readonly Dictionary<long, Entry> _entries = [];
    private readonly Lock _lock = new();

    // Ids start at a random multiple of 2^32 (as Pegasus does) so that ids handed out before
    // a restart or by another replica of this partition are unlikely to name a live context.
    private long _nextId = Random.Shared.NextInt64(0, 1L << 31) << 32;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Stores <paramref name="context"/> and returns its id, and the id of a context freed to make room (or -1).</summary>
    public long Put(ScanContext context, out long evictedId)
    {
        evictedId = -1;
        ScanContext? evicted = null;
        long id;
        lock (_lock)
        {
            if (_entries.Count >= capacity)
            {
                // Least recently used = earliest deadline, since every put restarts the timeout.
                var oldest = _entries.MinBy(e => e.Value.Deadline);
                _entries.Remove(oldest.Key);
                evicted = oldest.Value.Context;
                evictedId = oldest.Key;
            }

            id = _nextId++;
            _entries[id] = new Entry(context, timeProvider.GetUtcNow() + timeout);
        }

        evicted?.Dispose();
        return id;
    }

    /// <summary>Removes and returns the context, or null when unknown or timed out.</summary>
    public ScanContext? Take(long id)
    {
        Entry entry;
        lock (_lock)
        {
            if (!_entries.Remove(id, out entry))
            {
                return null;
            }
        }

        if (entry.Deadline <= timeProvider.GetUtcNow())
        {
            entry.Context.Dispose();
            return null;
        }

        return entry.Context;
    }

    /// <summary>Frees the context; false when it was unknown.</summary>
    public bool Remove(long id)
    {
        var context = Take(id);
        context?.Dispose();
        return context is not null;
    }

    /// <summary>Frees every context whose timeout has passed; returns how many.</summary>
    public int RemoveExpired()
    {
        List<ScanContext>? expired = null;
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            foreach (var (id, entry) in _entries)
            {
                if (entry.Deadline <= now)
                {
                    (expired ??= []).Add(entry.Context);
                    _entries.Remove(id);
                }
            }
        }

        expired?.ForEach(c => c.Dispose());
        return expired?.Count ?? 0;
    }

    public void Dispose()
    {
        List<ScanContext> all;
        lock (_lock)
        {
            all = [.. _entries.Values.Select(e => e.Context)];
            _entries.Clear();
        }

        all.ForEach(c => c.Dispose());
    }

    private readonly record struct Entry(ScanContext Context, DateTimeOffset Deadline);
}
