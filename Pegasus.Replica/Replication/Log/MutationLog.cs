using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Pegasus.Replica.Replication.Log;

/// <summary>
/// A replica's own mutation log (Pegasus's private log, "plog"): the mutations it has prepared,
/// in decree order, in segment files that survive a restart, with the effective entries kept in
/// memory for catching up secondaries and learners.
/// </summary>
/// <remarks>
/// <para>
/// Appending a decree that is already in the log supersedes it and everything after it: a new
/// primary re-prepared those decrees under a higher ballot. The superseded records stay in their
/// files; replay applies the same rule in file order, so it rebuilds exactly the in-memory state.
/// The file format is described on <see cref="LogFormat"/>.
/// </para>
/// <para>
/// One writer calls <see cref="Append"/>, <see cref="TruncateBelow"/> and <see cref="Reset"/>;
/// readers and <see cref="Flush"/> may run on other threads at the same time.
/// </para>
/// </remarks>
public sealed partial class MutationLog : IDisposable
{
    private const string LockFileName = "log.lock";

    private readonly string _directory;
    private readonly MutationLogOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // Guards every field below except the segments' handles. Append holds it across its write
    // syscall (so readers never see an entry that is not with the OS yet) but never across an fsync.
    private readonly Lock _gate = new();

    // Serializes fsync with closing a segment's handle, so a timer fsync never hits a handle that
    // a roll, reset or dispose just closed. Taken after _gate or alone, never the other way round.
    private readonly Lock _syncGate = new();

    private readonly RetainedEntries _entries = new();
    private readonly PayloadArena _payloads = new(); // used under _gate, like _entries

    // Oldest first; the last one is the active segment, the only one open and written to.
    private readonly List<LogSegment> _segments = [];

    private FileStream? _lockFile;
    private ITimer? _fsyncTimer;
    private long _lastDecree;
    private long _lastBallot;
    private long _durableDecree;

    // Counts writes and the writes known fsynced, so an fsync can tell whether it is needed and
    // Always mode can tell whether a concurrent fsync already covered its write.
    private long _writeCount;
    private long _syncedWriteCount;

    // Bumped by every supersede and reset: an fsync that started before one must not raise
    // DurableDecree, since the decrees it captured may have been rewritten since.
    private long _rewriteCount;

    private Exception? _failure;
    private bool _disposed;

    private MutationLog(string directory, MutationLogOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _directory = directory;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The lowest retained decree; 0 when the log holds no entry.</summary>
    public long FirstDecree
    {
        get
        {
            lock (_gate)
            {
                return _entries.FirstDecree;
            }
        }
    }

    /// <summary>The highest effective decree; 0 for a new log, the base decree after <see cref="Reset"/>.</summary>
    public long LastDecree
    {
        get
        {
            lock (_gate)
            {
                return _lastDecree;
            }
        }
    }

    /// <summary>The ballot of the entry at <see cref="LastDecree"/>; 0 when there is none.</summary>
    public long LastBallot
    {
        get
        {
            lock (_gate)
            {
                return _lastBallot;
            }
        }
    }

    /// <summary>How many effective entries the log retains.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// The highest decree known fsynced together with everything before it; at most
    /// <see cref="LastDecree"/>. In <see cref="LogFlushMode.Always"/> mode it equals LastDecree once
    /// Append returns; in <see cref="LogFlushMode.Interval"/> mode it trails by up to one interval.
    /// </summary>
    public long DurableDecree
    {
        get
        {
            lock (_gate)
            {
                return _durableDecree;
            }
        }
    }

    /// <summary>The directory of the log's segment files.</summary>
    public string Directory => _directory;

    /// <summary>
    /// Opens the log in <paramref name="directory"/> (creating it if needed) and replays its
    /// segments. A torn or corrupt tail is cut off, and a warning says what was cut.
    /// </summary>
    /// <exception cref="IOException">Another log has the directory open, or the files cannot be read.</exception>
    /// <exception cref="InvalidDataException">A segment is of a newer format version.</exception>
    public static MutationLog Open(string directory, MutationLogOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();

        var log = new MutationLog(Path.GetFullPath(directory), options, timeProvider, logger);
        try
        {
            log.Recover();
            log.StartFsyncTimer();
        }
        catch
        {
            log.CloseFiles();
            throw;
        }

        return log;
    }

    /// <summary>
    /// Appends a batch of consecutive decrees with one write call (group commit), then fsyncs it in
    /// <see cref="LogFlushMode.Always"/> mode. A batch that starts at or below <see cref="LastDecree"/>
    /// supersedes the retained entries from its first decree on.
    /// </summary>
    /// <exception cref="ArgumentException">The batch's decrees are not consecutive and ascending.</exception>
    /// <exception cref="InvalidOperationException">
    /// The batch leaves a gap after LastDecree, would supersede a decree that is not retained, or
    /// would supersede an entry with a lower ballot.
    /// </exception>
    /// <exception cref="IOException">The write failed, or the log failed earlier and can no longer be written.</exception>
    public void Append(IReadOnlyList<LogEntry> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        var recordBytes = MeasureBatch(batch);
        lock (_gate)
        {
            ThrowIfUnwritable();
            var first = batch[0].Decree;
            CheckSequence(batch, first);

            var active = _segments[^1];
            // Rolled between batches only, so a batch is never split across two files.
            if (active.Length >= _options.SegmentBytes && active.HasRecords)
            {
                active = Roll(first);
            }

            Write(active, batch, recordBytes);
            Retain(batch, active.Index);
            active.Length += recordBytes;
            active.MaxWrittenDecree = Math.Max(active.MaxWrittenDecree, _lastDecree);
            _writeCount++;
        }

        if (_options.FlushMode == LogFlushMode.Always)
        {
            // Outside _gate, so readers are not held up by the disk; the one writer is.
            SyncPending(throwOnFailure: true);
        }
    }

    /// <summary>
    /// The effective entries from <paramref name="decree"/> on (from <see cref="FirstDecree"/> if it
    /// is lower), ascending and consecutive, at most <paramref name="maxCount"/>. The entries are a
    /// copy taken under the log's lock; bound maxCount to keep that copy short.
    /// </summary>
    public IReadOnlyList<LogEntry> ReadFrom(long decree, int maxCount = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.Count == 0 || decree > _lastDecree || maxCount == 0)
            {
                return [];
            }

            var from = Math.Max(decree, _entries.FirstDecree);
            var result = new LogEntry[(int)Math.Min(_lastDecree - from + 1, maxCount)];
            _entries.CopyTo(from, result);
            return result;
        }
    }

    /// <summary>The effective entry at <paramref name="decree"/>, if the log retains it.</summary>
    public bool TryGet(long decree, out LogEntry entry)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _entries.TryGet(decree, out entry);
        }
    }

    private static int MeasureBatch(IReadOnlyList<LogEntry> batch)
    {
        long recordBytes = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch[i];
            if (entry.Decree < 1)
            {
                throw new ArgumentException($"Decrees start at 1; the batch holds decree {entry.Decree}.", nameof(batch));
            }

            if (i > 0 && entry.Decree != batch[i - 1].Decree + 1)
            {
                throw new ArgumentException($"A batch's decrees must be consecutive and ascending; decree {entry.Decree} follows {batch[i - 1].Decree}.", nameof(batch));
            }

            if (entry.Payload.Length > LogFormat.MaxRecordBodyBytes - LogFormat.RecordBodyFixedBytes)
            {
                throw new ArgumentException($"The payload of decree {entry.Decree} is {entry.Payload.Length} bytes, over the log's record limit.", nameof(batch));
            }

            recordBytes += LogFormat.RecordBytes(entry.Payload.Length);
        }

        // The batch is encoded into one buffer for its single write.
        if (recordBytes > Array.MaxLength)
        {
            throw new ArgumentException($"The batch encodes to {recordBytes} bytes, more than one write buffer holds; split it.", nameof(batch));
        }

        return (int)recordBytes;
    }

    /// <summary>Checks that the batch continues or legitimately supersedes the log. Under _gate.</summary>
    private void CheckSequence(IReadOnlyList<LogEntry> batch, long first)
    {
        if (first > _lastDecree + 1)
        {
            throw new InvalidOperationException($"The batch starts at decree {first}, leaving a gap after the log's last decree {_lastDecree}.");
        }

        if (first > _lastDecree)
        {
            return;
        }

        // Only retained entries can be superseded: those below were garbage-collected (committed
        // and checkpointed) or discarded by a reset, and no new primary re-prepares them.
        if (_entries.Count == 0 || first < _entries.FirstDecree)
        {
            var retained = _entries.Count == 0 ? "none" : $"{_entries.FirstDecree}..{_lastDecree}";
            throw new InvalidOperationException($"The batch starts at decree {first}, which would supersede decrees the log no longer retains (retained: {retained}, last decree {_lastDecree}).");
        }

        var supersededBallot = _entries.MaxBallotFrom(first);
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].Ballot < supersededBallot)
            {
                throw new InvalidOperationException($"Decree {batch[i].Decree} at ballot {batch[i].Ballot} would supersede entries of ballot {supersededBallot}: only a newer primary may rewrite the log.");
            }
        }
    }

    /// <summary>Encodes the batch into one pooled buffer and writes it with one call. Under _gate.</summary>
    private void Write(LogSegment segment, IReadOnlyList<LogEntry> batch, int recordBytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(recordBytes);
        try
        {
            var written = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                written += LogFormat.WriteRecord(buffer.AsSpan(written), batch[i]);
            }

            RandomAccess.Write(ActiveHandle(segment), buffer.AsSpan(0, written), segment.Length);
        }
        catch (IOException exception)
        {
            LogErrorWriteFailed(_logger, segment.FileName, segment.Length, recordBytes, exception);
            RollBackPartialWrite(segment, exception);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Cuts a failed write's partial records off again: left in place, whole records of a batch the
    /// caller saw fail would come back on replay. If even that fails the log stops taking writes.
    /// </summary>
    private void RollBackPartialWrite(LogSegment segment, IOException writeFailure)
    {
        try
        {
            RandomAccess.SetLength(ActiveHandle(segment), segment.Length);
        }
        catch (IOException)
        {
            _failure = writeFailure;
        }
    }

    /// <summary>Makes a written batch the effective tail, with copies of its payloads. Under _gate.</summary>
    private void Retain(IReadOnlyList<LogEntry> batch, long segmentIndex)
    {
        var first = batch[0].Decree;
        if (first <= _lastDecree)
        {
            _entries.RemoveFrom(first);
            _durableDecree = Math.Min(_durableDecree, first - 1);
            _rewriteCount++;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch[i];
            _entries.Add(entry with { Payload = _payloads.Copy(entry.Payload.Span) }, segmentIndex);
        }

        _lastDecree = batch[^1].Decree;
        _lastBallot = batch[^1].Ballot;
    }

    private static SafeFileHandle ActiveHandle(LogSegment segment)
        => segment.Handle ?? throw new InvalidOperationException($"Mutation log segment {segment.FileName} is not open for writing.");

    /// <summary>Throws if the log is disposed or failed. Under _gate.</summary>
    private void ThrowIfUnwritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
        {
            throw new IOException($"The mutation log in {_directory} failed earlier and takes no more writes; reopen it to recover.", _failure);
        }
    }
}
