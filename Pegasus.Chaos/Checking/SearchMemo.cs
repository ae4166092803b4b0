using System.Numerics;

namespace Pegasus.Chaos.Checking;

/// <summary>
/// The configurations a key's search has reached: (completed operations linearized, register state,
/// pending operations linearized). A configuration is skipped when one with the same completed set and
/// state and a SUBSET of its pending operations was reached before: pending operations may also never
/// happen, so anything the bigger set allows the smaller one allows too.
/// </summary>
/// <remarks>
/// The completed set is stored as a window of its bitset: the words below the lowest unlinearized
/// operation are all ones and the words above the highest linearized one all zeros, so equal windows
/// (with equal offsets) mean equal sets, and the stored window stays as wide as the concurrency.
/// </remarks>
internal sealed class SearchMemo
{
    private readonly int _pendingWords;
    private int[] _buckets;
    private Entry[] _entries;
    private ulong[] _words;
    private int _count;
    private int _wordCount;

    /// <param name="pendingWords">The length of the pending bitset.</param>
    /// <param name="expected">How many configurations to make room for at first (a linear history reaches about one per operation).</param>
    public SearchMemo(int pendingWords, int expected)
    {
        _pendingWords = pendingWords;
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(expected, 16, 1 << 20));
        _buckets = new int[capacity];
        _entries = new Entry[capacity];
        _words = new ulong[capacity * (1 + pendingWords)];
    }

    public int Count => _count;

    /// <summary>Records the configuration; false when it (or one that dominates it) was already reached.</summary>
    /// <param name="hash">A hash of the completed set (the state is mixed in here).</param>
    /// <param name="state">The register state.</param>
    /// <param name="lowWord">Index of the first word of <paramref name="window"/> in the completed bitset.</param>
    /// <param name="window">The completed bitset from <paramref name="lowWord"/> to its last nonzero word.</param>
    /// <param name="pending">The pending bitset (<c>pendingWords</c> long).</param>
    public bool TryAdd(ulong hash, int state, int lowWord, ReadOnlySpan<ulong> window, ReadOnlySpan<ulong> pending)
    {
        hash ^= (ulong)(uint)state * 0x9E3779B97F4A7C15UL;
        var bucket = BucketOf(hash, _buckets.Length);
        for (var i = _buckets[bucket] - 1; i >= 0; i = _entries[i].Next - 1)
        {
            ref var entry = ref _entries[i];
            if (entry.Hash != hash || entry.State != state || entry.LowWord != lowWord || entry.WindowWords != window.Length)
            {
                continue;
            }

            var stored = _words.AsSpan(entry.WordStart, window.Length + _pendingWords);
            if (!stored[..window.Length].SequenceEqual(window))
            {
                continue;
            }

            if (IsSubset(stored[window.Length..], pending))
            {
                return false;
            }
        }

        Add(hash, state, lowWord, window, pending, bucket);
        return true;
    }

    private static int BucketOf(ulong hash, int buckets) => (int)(hash ^ (hash >> 29)) & (buckets - 1);

    private static bool IsSubset(ReadOnlySpan<ulong> subset, ReadOnlySpan<ulong> of)
    {
        for (var w = 0; w < subset.Length; w++)
        {
            if ((subset[w] & ~of[w]) != 0)
            {
                return false;
            }
        }

        return true;
    }

    private void Add(ulong hash, int state, int lowWord, ReadOnlySpan<ulong> window, ReadOnlySpan<ulong> pending, int bucket)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        var needed = window.Length + _pendingWords;
        if (_wordCount + needed > _words.Length)
        {
            Array.Resize(ref _words, Math.Max(_words.Length * 2, _wordCount + needed));
        }

        window.CopyTo(_words.AsSpan(_wordCount));
        pending.CopyTo(_words.AsSpan(_wordCount + window.Length));
        _entries[_count] = new Entry
        {
            Hash = hash,
            State = state,
            LowWord = lowWord,
            WindowWords = window.Length,
            WordStart = _wordCount,
            Next = _buckets[bucket],
        };
        _wordCount += needed;
        _buckets[bucket] = ++_count;
        if (_count > _buckets.Length)
        {
            Rehash();
        }
    }

    private void Rehash()
    {
        _buckets = new int[_buckets.Length * 4];
        for (var i = 0; i < _count; i++)
        {
            var bucket = BucketOf(_entries[i].Hash, _buckets.Length);
            _entries[i].Next = _buckets[bucket];
            _buckets[bucket] = i + 1;
        }
    }

    /// <summary>A reached configuration; <see cref="Next"/> chains a bucket (1-based, 0 ends it).</summary>
    private struct Entry
    {
        public ulong Hash;
        public int State;
        public int LowWord;
        public int WindowWords;
        public int WordStart;
        public int Next;
    }
}
