namespace Pegasus.Protocol.Hashing;

/// <summary>Maps a record's key to its partition exactly as Apache Pegasus does.</summary>
public static class PartitionResolver
{
    /// <summary>
    /// The partition hash of a record: CRC64 of the hash key, or of the sort key when the
    /// hash key is empty (Pegasus's <c>pegasus_key_hash</c>).
    /// </summary>
    public static ulong KeyHash(ReadOnlySpan<byte> hashKey, ReadOnlySpan<byte> sortKey)
        => hashKey.IsEmpty ? PegasusCrc64.Compute(sortKey) : PegasusCrc64.Compute(hashKey);

    /// <summary>The partition index: the key hash as an unsigned remainder of the partition count.</summary>
    public static int PartitionIndex(ReadOnlySpan<byte> hashKey, ReadOnlySpan<byte> sortKey, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return (int)(KeyHash(hashKey, sortKey) % (ulong)partitionCount);
    }

    /// <summary>Partition counts must be powers of two (fixed when a table is created).</summary>
    public static bool IsValidPartitionCount(int partitionCount)
        => partitionCount > 0 && (partitionCount & (partitionCount - 1)) == 0;
}
