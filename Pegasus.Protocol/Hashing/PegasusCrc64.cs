namespace Pegasus.Protocol.Hashing;

/// <summary>
/// Apache Pegasus's CRC64: reflected, polynomial 0x9a6c9329ac4bc9b5, initial value and final
/// xor all ones. It is not System.IO.Hashing's CRC-64 (ECMA); "123456789" hashes to
/// 0xae8b14860a799888. Clients and servers must agree on it, so there is only this one.
/// </summary>
public static class PegasusCrc64
{
    // The polynomial in its reflected (bit-reversed) form, as the table-driven loop shifts right.
    private const ulong ReflectedPolynomial = 0x9a6c9329ac4bc9b5UL;

    private static readonly ulong[] Table = BuildTable();

    public static ulong Compute(ReadOnlySpan<byte> data)
    {
        var crc = ulong.MaxValue;
        foreach (var b in data)
        {
            crc = Table[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc ^ ulong.MaxValue;
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            var value = i;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (value >> 1) ^ ReflectedPolynomial : value >> 1;
            }

            table[i] = value;
        }

        return table;
    }
}
