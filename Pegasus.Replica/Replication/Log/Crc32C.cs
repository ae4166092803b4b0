using System.Buffers.Binary;
using System.Numerics;

namespace Pegasus.Replica.Replication.Log;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of the log's records. <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// runs on the CPU's CRC instruction (SSE4.2, ARMv8) where there is one, so this needs no package.
/// </summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= sizeof(ulong))
        {
            // Little-endian reads keep the byte order the CRC is defined over on any host.
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
