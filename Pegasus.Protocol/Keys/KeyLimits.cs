namespace Pegasus.Protocol.Keys;

/// <summary>Limits on keys that Apache Pegasus enforces and we match.</summary>
public static class KeyLimits
{
    /// <summary>
    /// A hash key's length must be below 65535 (UINT16_MAX): the storage key keeps it in a
    /// 2-byte big-endian prefix and Pegasus reserves the all-ones value.
    /// </summary>
    public const int MaxHashKeyLength = ushort.MaxValue - 1;

    public static bool IsValidHashKeyLength(int length) => length <= MaxHashKeyLength;
}
