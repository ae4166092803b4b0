namespace Pegasus.Replica.Replication.Log;

public sealed partial class MutationLog
{
    /// <summary>
    /// Takes the directory lock, replays every segment in index order, cuts a bad tail and opens
    /// the last segment for appending.
    /// </summary>
    /// <remarks>
    /// Replay stops at the first thing it cannot trust: a torn or checksum-failing record, a record
    /// that breaks the log's rules, a bad segment header or a missing segment. That point is the
    /// end of the log even when it lies inside a non-last segment with good records after it:
    /// records past a damaged one were appended after it, and applying them over a hole would make
    /// a history that never existed. Everything from there on is deleted, never applied.
    /// </remarks>
    private void Recover()
    {
        System.IO.Directory.CreateDirectory(_directory);
        // Two logs appending to one directory would interleave records; the exclusive lock makes
        // the second Open fail instead. (On Unix FileShare.None takes an flock.)
        _lockFile = new FileStream(Path.Combine(_directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var files = ListSegmentFiles();
        DeleteBeforeLastReset(files);
        ReplayCut? cut = null;
        for (var i = 0; i < files.Count && cut is null; i++)
        {
            cut = i > 0 && files[i].Index != files[i - 1].Index + 1
                ? new ReplayCut(i, 0, $"segment {files[i].Index} follows segment {files[i - 1].Index}, so a segment is missing")
                : ReplaySegment(files[i], i);
        }

        if (cut is { } found)
        {
            ApplyCut(files, found);
        }

        if (_segments.Count == 0)
        {
            var index = files.Count == 0 ? 1 : files[^1].Index + 1;
            _segments.Add(CreateSegment(new SegmentHeader(index, _lastDecree, IsReset: false), _lastDecree + 1, sync: true));
        }
        else
        {
            var active = _segments[^1];
            active.Handle = File.OpenHandle(active.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            // Earlier segments were fsynced when they were rolled; this one may hold writes a
            // crashed process left in the page cache. After this everything replayed is durable.
            RandomAccess.FlushToDisk(active.Handle);
        }

        _durableDecree = _lastDecree;
        LogInformationOpened(_logger, _directory, _segments.Count, _entries.FirstDecree, _lastDecree, _entries.Count);
    }

    private List<(long Index, string Path)> ListSegmentFiles()
    {
        List<(long Index, string Path)> files = [];
        foreach (var path in System.IO.Directory.EnumerateFiles(_directory, "log.*.plog"))
        {
            if (LogSegment.TryParseIndex(Path.GetFileName(path), out var index))
            {
                files.Add((index, path));
            }
        }

        files.Sort((a, b) => a.Index.CompareTo(b.Index));
        return files;
    }

    /// <summary>
    /// Finishes a reset that a crash interrupted: everything before the newest reset segment was
    /// discarded, so it is deleted before replay rather than read (a damaged old segment must not
    /// cut the log back to before the reset).
    /// </summary>
    private void DeleteBeforeLastReset(List<(long Index, string Path)> files)
    {
        Span<byte> bytes = stackalloc byte[LogFormat.SegmentHeaderBytes];
        for (var i = files.Count - 1; i > 0; i--)
        {
            using var handle = File.OpenHandle(files[i].Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (RandomAccess.Read(handle, bytes, 0) == bytes.Length
                && LogFormat.TryReadSegmentHeader(bytes, out var header, out _)
                && header.IsReset
                && header.Index == files[i].Index)
            {
                foreach (var (_, path) in files[..i])
                {
                    File.Delete(path);
                }

                LogInformationReset(_logger, _directory, header.BaseDecree, i);
                files.RemoveRange(0, i);
                return;
            }
        }
    }

    /// <summary>Applies one segment's records; returns where and why it stopped early, if it did.</summary>
    private ReplayCut? ReplaySegment((long Index, string Path) file, int position)
    {
        using var reader = new SegmentReader(file.Path);
        if (reader.Length < LogFormat.SegmentHeaderBytes)
        {
            return new ReplayCut(position, 0, $"the segment header is incomplete ({reader.Length} of {LogFormat.SegmentHeaderBytes} bytes)");
        }

        if (!LogFormat.TryReadSegmentHeader(reader.Read(0, LogFormat.SegmentHeaderBytes), out var header, out var problem))
        {
            return new ReplayCut(position, 0, problem);
        }

        if (header.Index != file.Index)
        {
            return new ReplayCut(position, 0, $"the header says segment {header.Index} but the file name says {file.Index}");
        }

        var segment = new LogSegment(header, file.Path);
        _segments.Add(segment);
        if (header.IsReset)
        {
            _entries.Clear();
        }

        if (_entries.Count == 0)
        {
            // Nothing before this segment survives (a reset, or older segments were garbage
            // collected), so its header is what remembers the last decree.
            _lastDecree = header.BaseDecree;
            _lastBallot = 0;
        }

        long offset = LogFormat.SegmentHeaderBytes;
        while (offset < reader.Length)
        {
            var remaining = reader.Length - offset;
            if (remaining < LogFormat.RecordHeaderBytes)
            {
                return new ReplayCut(position, offset, $"an incomplete record header ({remaining} of {LogFormat.RecordHeaderBytes} bytes)");
            }

            var bodyLength = LogFormat.ReadBodyLength(reader.Read(offset, LogFormat.RecordHeaderBytes));
            if (bodyLength < LogFormat.RecordBodyFixedBytes || bodyLength > LogFormat.MaxRecordBodyBytes)
            {
                return new ReplayCut(position, offset, $"an impossible record length {bodyLength}");
            }

            if (bodyLength > remaining - LogFormat.RecordHeaderBytes)
            {
                return new ReplayCut(position, offset, $"a record length {bodyLength} that runs past the end of the file");
            }

            var record = reader.Read(offset, LogFormat.RecordHeaderBytes + bodyLength);
            if (!LogFormat.ChecksumMatches(record))
            {
                return new ReplayCut(position, offset, "a record checksum mismatch");
            }

            if (ReplayRecord(record, segment) is { } refusal)
            {
                return new ReplayCut(position, offset, refusal);
            }

            offset += record.Length;
            segment.Length = offset;
        }

        return null;
    }

    /// <summary>
    /// Applies one intact record by the rules Append enforces; returns why not if it breaks them
    /// (it has a valid checksum, so it was written that way, but it is not applied either).
    /// </summary>
    private string? ReplayRecord(ReadOnlySpan<byte> record, LogSegment segment)
    {
        var ballot = LogFormat.ReadBallot(record);
        var decree = LogFormat.ReadDecree(record);
        if (decree < 1 || decree > _lastDecree + 1)
        {
            return $"decree {decree} does not follow decree {_lastDecree}";
        }

        if (_entries.Count == 0 && segment.Header.IsReset && decree != _lastDecree + 1)
        {
            return $"decree {decree} does not follow the reset to decree {_lastDecree}";
        }

        if (_entries.Count > 0 && decree <= _lastDecree)
        {
            // A supersede. One below the first retained decree rewrote entries whose segments
            // have since been garbage collected: all retained entries go.
            var from = Math.Max(decree, _entries.FirstDecree);
            var superseded = _entries.MaxBallotFrom(from);
            if (ballot < superseded)
            {
                return $"decree {decree} at ballot {ballot} supersedes ballot {superseded}";
            }

            _entries.RemoveFrom(from);
        }

        _entries.Add(new LogEntry(ballot, decree, _payloads.Copy(LogFormat.ReadPayload(record))), segment.Index);
        _lastDecree = decree;
        _lastBallot = ballot;
        segment.MaxWrittenDecree = Math.Max(segment.MaxWrittenDecree, decree);
        return null;
    }

    /// <summary>Deletes everything from the cut on and says what went.</summary>
    private void ApplyCut(List<(long Index, string Path)> files, ReplayCut cut)
    {
        var cutFile = Path.GetFileName(files[cut.Position].Path);

        // Newest first: if this is interrupted, the damaged segment still ends badly, so the next
        // open cuts again rather than replaying segments that were written after the damage.
        for (var i = files.Count - 1; i > cut.Position; i--)
        {
            var length = new FileInfo(files[i].Path).Length;
            File.Delete(files[i].Path);
            LogWarningSegmentDropped(_logger, Path.GetFileName(files[i].Path), length, cutFile, cut.Offset);
        }

        var path = files[cut.Position].Path;
        long removed;
        if (cut.Offset == 0)
        {
            // Nothing in a segment without a trustworthy header can be read (and replay did not
            // add it to _segments).
            removed = new FileInfo(path).Length;
            File.Delete(path);
        }
        else
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            removed = RandomAccess.GetLength(handle) - cut.Offset;
            RandomAccess.SetLength(handle, cut.Offset);
            RandomAccess.FlushToDisk(handle);
        }

        DirectorySync.Flush(_directory);
        LogWarningCut(_logger, cutFile, cut.Offset, removed, cut.Reason);
    }

    /// <summary>Where replay stopped trusting the files: a segment (by position in the listing), an offset in it, and why.</summary>
    private readonly record struct ReplayCut(int Position, long Offset, string Reason);
}
