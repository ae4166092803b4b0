using System.Buffers.Binary;
using System.Text;

namespace Pegasus.ZooKeeper.Protocol;

/// <summary>Reads jute-encoded fields from one received frame (see <see cref="JuteWriter"/> for the encodings).</summary>
internal ref struct JuteReader(ReadOnlySpan<byte> data)
{
    // A string or vector longer than the frame itself is corrupt; checking against the remaining
    // bytes keeps a bad length from allocating gigabytes.
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public int ReadInt32()
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        return value;
    }

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public bool ReadBool() => Take(1)[0] != 0;

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length < 0)
        {
            return null;
        }

        return Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>Reads a jute buffer; a null buffer (length -1) reads as empty.</summary>
    public byte[] ReadBuffer()
    {
        var length = ReadInt32();
        return length <= 0 ? [] : Take(length).ToArray();
    }

    public List<string> ReadStringVector()
    {
        var count = ReadInt32();
        if (count <= 0)
        {
            return [];
        }

        // Each element takes at least its 4-byte length.
        if (count > Remaining / 4)
        {
            throw Truncated();
        }

        var values = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            values.Add(ReadString() ?? string.Empty);
        }

        return values;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw Truncated();
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    private static MarshallingErrorException Truncated() =>
        new("A ZooKeeper packet was shorter than its fields claim.");
}
