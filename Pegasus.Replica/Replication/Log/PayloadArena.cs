namespace Pegasus.Replica.Replication.Log;

/// <summary>
/// Where the log keeps its copies of payloads: 1 MiB chunks that go straight to the large object
/// heap. Retained payloads live for many garbage collections; in small arrays each young
/// collection would copy them again on their way to gen 2, which cost more than the log's own
/// work. Chunks are never reused (readers may hold slices of them); a chunk is freed by the GC
/// once no retained entry or reader refers to it.
/// </summary>
internal sealed class PayloadArena
{
    // Above the 85,000-byte large object threshold, and small enough that a chunk kept alive by a
    // few surviving entries wastes little.
    private const int ChunkBytes = 1 << 20;

    private byte[] _chunk = [];
    private int _used;

    /// <summary>Copies <paramref name="payload"/> into the arena and returns the copy.</summary>
    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (payload.Length > ChunkBytes / 4)
        {
            // A big payload gets its own array rather than wasting most of a chunk's tail.
            return payload.ToArray();
        }

        if (payload.Length > _chunk.Length - _used)
        {
            _chunk = GC.AllocateUninitializedArray<byte>(ChunkBytes);
            _used = 0;
        }

        var copy = _chunk.AsMemory(_used, payload.Length);
        payload.CopyTo(copy.Span);
        _used += payload.Length;
        return copy;
    }

    /// <summary>Lets go of the current chunk, so that discarded payloads can be freed.</summary>
    public void Release()
    {
        _chunk = [];
        _used = 0;
    }
}
