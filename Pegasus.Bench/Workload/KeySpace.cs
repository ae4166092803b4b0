using System.Globalization;
using System.Text;

namespace Pegasus.Bench.Workload;

/// <summary>
/// The benchmark's keys, built once up front so the measured loops allocate nothing for keys:
/// hash key <c>bench-&lt;n&gt;</c> (zero-padded, so all keys have one length), one fixed sort key.
/// One record per hash key spreads the load over every partition, as a YCSB-style workload does.
/// </summary>
public sealed class KeySpace
{
    private readonly byte[][] _hashKeys;

    /// <summary>Initializes a new instance of the <see cref="KeySpace"/> class.</summary>
    /// <param name="count">How many distinct keys.</param>
    /// <param name="valueSize">The size of every written value.</param>
    public KeySpace(int count, int valueSize)
    {
        var width = (count - 1).ToString(CultureInfo.InvariantCulture).Length;
        _hashKeys = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            _hashKeys[i] = Encoding.ASCII.GetBytes("bench-" + i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0'));
        }

        // Random bytes so that no layer (RocksDB block compression) gets an easier job than real data gives it.
        Value = new byte[valueSize];
        new Random(42).NextBytes(Value);
    }

    /// <summary>Gets the number of keys.</summary>
    public int Count => _hashKeys.Length;

    /// <summary>Gets the sort key every record uses.</summary>
    public byte[] SortKey { get; } = "v"u8.ToArray();

    /// <summary>Gets the value every write stores (the client copies it into the request).</summary>
    public byte[] Value { get; }

    /// <summary>Gets the hash key of key <paramref name="index"/>.</summary>
    /// <param name="index">0 .. <see cref="Count"/> - 1.</param>
    /// <returns>The hash key.</returns>
    public byte[] HashKey(int index) => _hashKeys[index];
}
