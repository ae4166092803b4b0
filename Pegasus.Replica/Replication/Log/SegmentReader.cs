using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Pegasus.Replica.Replication.Log;

/// <summary>
/// Reads a segment file front to back through one pooled buffer, so replay makes a read call per
/// megabyte rather than two per record.
/// </summary>
internal sealed class SegmentReader : IDisposable
{
    private const int ChunkBytes = 1 << 20;

    private readonly SafeFileHandle _handle;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
    private long _bufferOffset;
    private int _bufferCount;

    public SegmentReader(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
        Length = RandomAccess.GetLength(_handle);
    }

    public long Length { get; }

    /// <summary>The bytes at [offset, offset + count), which the caller has checked lie inside the file.</summary>
    public ReadOnlySpan<byte> Read(long offset, int count)
    {
        if (offset < _bufferOffset || offset + count > _bufferOffset + _bufferCount)
        {
            Fill(offset, count);
        }

        return _buffer.AsSpan((int)(offset - _bufferOffset), count);
    }

    public void Dispose()
    {
        _handle.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Fill(long offset, int count)
    {
        if (count > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(count);
        }

        var want = (int)Math.Min(_buffer.Length, Length - offset);
        var read = 0;
        while (read < want)
        {
            var n = RandomAccess.Read(_handle, _buffer.AsSpan(read, want - read), offset + read);
            if (n == 0)
            {
                // Only this process writes the log, and it is not writing while it replays.
                throw new IOException($"The mutation log segment shrank while being read, at offset {offset + read}.");
            }

            read += n;
        }

        _bufferOffset = offset;
        _bufferCount = read;
    }
}
