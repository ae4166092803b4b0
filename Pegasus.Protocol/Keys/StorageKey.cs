using System.Buffers.Binary;

namespace Pegasus.Protocol.Keys;

/// <summary>
/// Pegasus's storage key layout: 2-byte big-endian hash-key length, hash key, sort key. All
/// sort keys of one hash key are therefore contiguous and ordered, and a hash scan is a
/// RocksDB prefix range.
/// </summary>
public static class StorageKey
{
    public const int HashKeyLengthPrefix = 2;

    public static byte[] Encode(ReadOnlySpan<byte> hashKey, ReadOnlySpan<byte> sortKey)
    {
        if (!KeyLimits.IsValidHashKeyLength(hashKey.Length))
        {
            throw new ArgumentException($"hash key length {hashKey.Length} exceeds {KeyLimits.MaxHashKeyLength}", nameof(hashKey));
        }

        var key = new byte[HashKeyLengthPrefix + hashKey.Length + sortKey.Length];
        BinaryPrimitives.WriteUInt16BigEndian(key, (ushort)hashKey.Length);
        hashKey.CopyTo(key.AsSpan(HashKeyLengthPrefix));
        sortKey.CopyTo(key.AsSpan(HashKeyLengthPrefix + hashKey.Length));
        return key;
    }

    /// <summary>The prefix every storage key of <paramref name="hashKey"/> starts with.</summary>
    public static byte[] EncodeHashKeyPrefix(ReadOnlySpan<byte> hashKey) => Encode(hashKey, []);

    /// <summary>Splits a storage key into its hash key and sort key.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> storageKey, out ReadOnlySpan<byte> hashKey, out ReadOnlySpan<byte> sortKey)
    {
        hashKey = default;
        sortKey = default;
        if (storageKey.Length < HashKeyLengthPrefix)
        {
            return false;
        }

        int hashKeyLength = BinaryPrimitives.ReadUInt16BigEndian(storageKey);
        if (storageKey.Length < HashKeyLengthPrefix + hashKeyLength)
        {
            return false;
        }

        hashKey = storageKey.Slice(HashKeyLengthPrefix, hashKeyLength);
        sortKey = storageKey[(HashKeyLengthPrefix + hashKeyLength)..];
        return true;
    }

    /// <summary>
    /// The smallest key greater than every key starting with <paramref name="prefix"/>, or
    /// null when there is none (the prefix is all 0xFF).
    /// </summary>
    public static byte[]? PrefixSuccessor(ReadOnlySpan<byte> prefix)
    {
        var successor = prefix.ToArray();
        for (var i = successor.Length - 1; i >= 0; i--)
        {
            if (successor[i] != 0xFF)
            {
                successor[i]++;
                return successor[..(i + 1)];
            }
        }

        return null;
    }
}
