using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Pegasus.ZooKeeper.Protocol;

/// <summary>
/// Serializes one jute record into a pooled buffer, big-endian, with room for the 4-byte frame length
/// that every ZooKeeper packet starts with.
/// </summary>
/// <remarks>
/// Jute encodings: int/long big-endian; boolean one byte; string and buffer as an int length
/// (-1 for null) followed by the bytes (UTF-8 for strings); vectors as an int count followed by
/// the elements.
/// </remarks>
internal sealed class JuteWriter : IDisposable
{
    private const int LengthPrefixSize = 4;

    private byte[] _buffer;
    private int _position;

    public JuteWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));
        // The frame length is patched in by ToFrame once the body is complete.
        _position = LengthPrefixSize;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);
        _position += 4;
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);
        _position += 8;
    }

    public void WriteBool(bool value)
    {
        Grow(1)[0] = value ? (byte)1 : (byte)0;
        _position += 1;
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt32(length);
        Encoding.UTF8.GetBytes(value, Grow(length));
        _position += length;
    }

    public void WriteBuffer(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        value.CopyTo(Grow(value.Length));
        _position += value.Length;
    }

    public void WriteStringVector(IReadOnlyCollection<string> values)
    {
        WriteInt32(values.Count);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    /// <summary>
    /// Completes the frame and hands its pooled buffer to the caller, who returns it with
    /// <see cref="OutgoingFrame.Release"/>; the writer must not be used afterwards.
    /// </summary>
    public OutgoingFrame ToFrame()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer, _position - LengthPrefixSize);
        var frame = new OutgoingFrame(_buffer, _position);
        _buffer = [];
        _position = 0;
        return frame;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private Span<byte> Grow(int count)
    {
        if (_buffer.Length - _position < count)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _position + count));
            _buffer.AsSpan(0, _position).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(_position, count);
    }
}

/// <summary>A complete length-prefixed frame in a pooled buffer.</summary>
internal readonly record struct OutgoingFrame(byte[] Buffer, int Length)
{
    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

    public void Release()
    {
        if (Buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}
