namespace Pegasus.Replica.Replication.Log;

public sealed partial class MutationLog
{
    /// <summary>
    /// Deletes the oldest segment files whose records all have decrees below
    /// <paramref name="decree"/>, and drops their entries from memory. The active segment is never
    /// deleted, so the log keeps its last decree; entries of kept segments stay even if below.
    /// </summary>
    public void TruncateBelow(long decree)
    {
        lock (_gate)
        {
            ThrowIfUnwritable();
            var deleted = 0;
            try
            {
                // Oldest first, one at a time: a crash part way leaves the newer segments contiguous.
                while (deleted < _segments.Count - 1 && _segments[deleted].MaxWrittenDecree < decree)
                {
                    File.Delete(_segments[deleted].Path);
                    deleted++;
                }
            }
            finally
            {
                // Also after a failed delete: memory must match the files that are gone.
                if (deleted > 0)
                {
                    var lastDeletedIndex = _segments[deleted - 1].Index;
                    _segments.RemoveRange(0, deleted);
                    var dropped = _entries.RemoveWrittenUpTo(lastDeletedIndex);
                    if (_entries.Count == 0)
                    {
                        // As replay would see it: no entry, so no ballot of the last one.
                        _lastBallot = 0;
                    }

                    LogDebugTruncated(_logger, _directory, deleted, dropped, decree, _entries.FirstDecree);
                }
            }
        }
    }

    /// <summary>
    /// Discards the whole log: a learner installed a checkpoint at <paramref name="baseDecree"/>, so
    /// the next append starts at baseDecree + 1. The new, empty segment's header records the base,
    /// so a restart sees LastDecree == baseDecree; it is fsynced before the old segments are deleted,
    /// and replay discards anything before a reset segment should some of them survive a crash.
    /// </summary>
    public void Reset(long baseDecree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baseDecree);
        lock (_gate)
        {
            ThrowIfUnwritable();
            var old = _segments.ToArray();
            var reset = CreateSegment(new SegmentHeader(old[^1].Index + 1, baseDecree, IsReset: true), baseDecree + 1, sync: true);
            CloseSegment(old[^1], sync: false);
            _segments.Clear();
            _segments.Add(reset);
            _entries.Clear();
            _payloads.Release();
            _lastDecree = baseDecree;
            _lastBallot = 0;
            _durableDecree = baseDecree;
            _syncedWriteCount = _writeCount;
            _rewriteCount++;
            LogInformationReset(_logger, _directory, baseDecree, old.Length);

            // Last, and oldest first: the durable reset segment already makes replay ignore these,
            // and Open deletes whatever a failure or crash leaves behind.
            foreach (var segment in old)
            {
                File.Delete(segment.Path);
            }
        }
    }

    /// <summary>
    /// Appends already reach the operating system before <see cref="Append"/> returns, so without
    /// <paramref name="fsync"/> there is nothing to flush; with it, fsyncs what was written since the
    /// last fsync.
    /// </summary>
    public void Flush(bool fsync)
    {
        lock (_gate)
        {
            ThrowIfUnwritable();
        }

        if (fsync)
        {
            SyncPending(throwOnFailure: true);
        }
    }

    /// <summary>Fsyncs and closes the active segment and stops the fsync timer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _fsyncTimer?.Dispose();
        }

        CloseFiles();
        LogDebugClosed(_logger, _directory, _lastDecree);
    }

    /// <summary>Closes the current segment, fsynced, and starts the next one. Under _gate.</summary>
    private LogSegment Roll(long firstDecree)
    {
        var old = _segments[^1];
        // Fsynced before the next segment exists, so every segment but the last is durable and a
        // restart only has to fsync the last one.
        if (_syncedWriteCount != _writeCount)
        {
            try
            {
                lock (_syncGate)
                {
                    RandomAccess.FlushToDisk(ActiveHandle(old));
                }
            }
            catch (IOException exception)
            {
                // The same policy as any failed fsync (see SyncPending).
                _failure ??= exception;
                LogErrorSyncFailed(_logger, old.FileName, exception);
                throw;
            }

            _syncedWriteCount = _writeCount;
            _durableDecree = _lastDecree;
        }

        // Created before the old one is closed, so a failure leaves the old one active.
        var next = CreateSegment(new SegmentHeader(old.Index + 1, _lastDecree, IsReset: false), firstDecree, sync: false);
        CloseSegment(old, sync: false);
        _segments.Add(next);
        LogDebugRolled(_logger, old.FileName, old.Length, next.FileName);
        return next;
    }

    /// <summary>Creates a segment file with its header and opens it for writing.</summary>
    private LogSegment CreateSegment(SegmentHeader header, long firstDecree, bool sync)
    {
        var segment = new LogSegment(header, Path.Combine(_directory, LogSegment.FileNameFor(header.Index, firstDecree)));
        var handle = File.OpenHandle(segment.Path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            Span<byte> bytes = stackalloc byte[LogFormat.SegmentHeaderBytes];
            LogFormat.WriteSegmentHeader(bytes, header);
            RandomAccess.Write(handle, bytes, 0);
            if (sync)
            {
                RandomAccess.FlushToDisk(handle);
            }

            // The file's name must be durable before anything in it is promised durable.
            DirectorySync.Flush(_directory);
        }
        catch
        {
            handle.Dispose();
            File.Delete(segment.Path);
            throw;
        }

        segment.Handle = handle;
        return segment;
    }

    private void CloseSegment(LogSegment segment, bool sync)
    {
        lock (_syncGate)
        {
            if (segment.Handle is not { } handle)
            {
                return;
            }

            if (sync)
            {
                RandomAccess.FlushToDisk(handle);
            }

            handle.Dispose();
            segment.Handle = null;
        }
    }

    /// <summary>
    /// Fsyncs the active segment if anything was written since the last fsync. Not under _gate:
    /// the state is captured under it, the fsync runs under _syncGate alone.
    /// </summary>
    private void SyncPending(bool throwOnFailure)
    {
        LogSegment segment;
        long writeCount;
        long lastDecree;
        long rewriteCount;
        lock (_gate)
        {
            if (_failure is not null && throwOnFailure)
            {
                // Always mode must not return as if durable after another caller's fsync failed.
                ThrowIfUnwritable();
            }

            if (_disposed || _failure is not null || _syncedWriteCount == _writeCount)
            {
                return;
            }

            segment = _segments[^1];
            writeCount = _writeCount;
            lastDecree = _lastDecree;
            rewriteCount = _rewriteCount;
        }

        try
        {
            lock (_syncGate)
            {
                // A closed segment was fsynced when it was closed (roll) or no longer matters (reset).
                if (segment.Handle is { } handle)
                {
                    RandomAccess.FlushToDisk(handle);
                }
            }
        }
        catch (IOException exception)
        {
            // After a failed fsync the kernel may have dropped the dirty pages and a retry can
            // falsely succeed, so the log stops taking writes; reopening replays what is really there.
            lock (_gate)
            {
                _failure ??= exception;
            }

            LogErrorSyncFailed(_logger, segment.FileName, exception);
            if (throwOnFailure)
            {
                throw;
            }

            return;
        }

        lock (_gate)
        {
            _syncedWriteCount = Math.Max(_syncedWriteCount, writeCount);
            if (rewriteCount == _rewriteCount)
            {
                _durableDecree = Math.Max(_durableDecree, lastDecree);
            }
        }
    }

    private void StartFsyncTimer()
    {
        if (_options.FlushMode == LogFlushMode.Interval)
        {
            _fsyncTimer = _timeProvider.CreateTimer(
                static state => ((MutationLog)state!).SyncPending(throwOnFailure: false),
                this,
                _options.FsyncInterval,
                _options.FsyncInterval);
        }
    }

    /// <summary>Fsyncs and closes the active segment and releases the directory lock.</summary>
    private void CloseFiles()
    {
        if (_segments.Count > 0)
        {
            var active = _segments[^1];
            try
            {
                CloseSegment(active, sync: _failure is null);
            }
            catch (IOException exception)
            {
                // Dispose must not throw; the error is logged and the handle closed regardless.
                LogErrorSyncFailed(_logger, active.FileName, exception);
                lock (_syncGate)
                {
                    active.Handle?.Dispose();
                    active.Handle = null;
                }
            }
        }

        _lockFile?.Dispose();
        _lockFile = null;
    }
}
