using System.Buffers.Binary;
using Pegasus.Protocol.Time;

namespace Pegasus.Replica.Storage;

/// <summary>
/// Pegasus's value layout, data version 0: a 4-byte big-endian expire time (seconds since the
/// Pegasus epoch, 0 = no TTL) followed by the user's bytes. Keeping Pegasus's layout keeps its
/// on-disk format readable by its tools and its TTL semantics exact.
/// </summary>
internal static class StoredValue
{
    public const int HeaderLength = 4;

    /// <summary>Writes the stored value into <paramref name="destination"/>; returns its length.</summary>
    public static int Encode(ReadOnlySpan<byte> userData, uint expireTs, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, expireTs);
        userData.CopyTo(destination[HeaderLength..]);
        return HeaderLength + userData.Length;
    }

    /// <summary>
    /// The record's expire time. A value shorter than the header was never written by us; it
    /// is read as "no TTL" rather than crashing the replica on someone else's bytes.
    /// </summary>
    public static uint ExpireTs(ReadOnlySpan<byte> stored)
        => stored.Length >= HeaderLength ? BinaryPrimitives.ReadUInt32BigEndian(stored) : 0;

    public static ReadOnlySpan<byte> UserData(ReadOnlySpan<byte> stored)
        => stored.Length >= HeaderLength ? stored[HeaderLength..] : [];

    /// <summary>Pegasus's check_if_record_expired: expired once now reaches the expire time.</summary>
    public static bool IsExpired(ReadOnlySpan<byte> stored, uint now) => PegasusEpoch.IsExpired(ExpireTs(stored), now);
}
