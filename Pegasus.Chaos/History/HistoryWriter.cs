using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pegasus.Chaos.History;

/// <summary>
/// Appends operations to a JSON Lines history, one line each. Safe to call from many tasks at once:
/// the fault tool's processes record concurrently.
/// </summary>
public sealed class HistoryWriter : IDisposable, IAsyncDisposable
{
    // Histories are files for tools, not HTML: keep keys and values readable (no \u002B for '+').
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly Lock _lock = new();
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly bool _flushEachLine;
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly Utf8JsonWriter _json;
    private bool _disposed;

    /// <summary>Creates (or truncates) the file at <paramref name="path"/>.</summary>
    /// <param name="path">The history file.</param>
    /// <param name="flushEachLine">
    /// Hand each line to the OS as it is appended, so a crashed run still leaves its history; default true.
    /// </param>
    public HistoryWriter(string path, bool flushEachLine = true)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024), leaveOpen: false, flushEachLine)
    {
    }

    public HistoryWriter(Stream stream, bool leaveOpen = false, bool flushEachLine = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _flushEachLine = flushEachLine;
        _json = new Utf8JsonWriter(_line, JsonOptions);
    }

    /// <summary>How many lines were appended.</summary>
    public long Count { get; private set; }

    /// <summary>Appends one line.</summary>
    /// <exception cref="ArgumentException">The operation breaks <see cref="HistoryOperationRules"/>.</exception>
    public void Append(HistoryOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        // One line at a time: the JSON writer and line buffer are shared, and lines must not interleave.
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                HistoryJson.Write(_json, operation);
                _json.Flush();
                _line.Write("\n"u8);
                _stream.Write(_line.WrittenSpan);
                if (_flushEachLine)
                {
                    _stream.Flush();
                }

                Count++;
            }
            finally
            {
                // A rejected operation may leave a half-written object: start the next line clean.
                _line.ResetWrittenCount();
                _json.Reset(_line);
            }
        }
    }

    /// <summary>Hands buffered lines to the OS.</summary>
    public void Flush()
    {
        // Serialized with Append so a flush never sees half a line.
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _stream.Flush();
        }
    }

    public void Dispose()
    {
        // Appends racing with disposal either finish first or see _disposed.
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _json.Dispose();
            _stream.Flush();
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        // Flushing is a small synchronous write; the lock cannot be held across an await.
        Dispose();
        return ValueTask.CompletedTask;
    }
}
