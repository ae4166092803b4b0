using System.Runtime.CompilerServices;
using Pegasus.Client.Diagnostics;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Keys;

namespace Pegasus.Client;

/// <summary>
/// A cursor over records: one hash key's sort-key range (<see cref="PegasusTable.GetScannerAsync"/>), or whole
/// partitions (<see cref="PegasusTable.GetUnorderedScannersAsync"/>). Enumerate it once with <c>await foreach</c>;
/// records come in storage order within a partition. Pages through the server with GetScanner/Scan and the
/// server's context id; a lost context (expired, or the primary moved) resumes after the last record returned.
/// Disposing it (or ending the enumeration early) clears the server's context.
/// </summary>
public sealed class PegasusScanner : IAsyncEnumerable<PegasusRecord>, IAsyncDisposable
{
    private const long ContextCompleted = -1;

    private readonly PegasusTable _table;
    private readonly GetScannerRequest _template;
    private readonly ScanOptions _options;
    private readonly byte[]? _hashKey;
    private readonly Queue<ulong> _targets;
    private ulong _target;
    private bool _inPartition;
    private long _contextId = ContextCompleted;
    private byte[]? _lastHashKey;
    private byte[]? _lastSortKey;
    private byte[]? _skipThrough;
    private int _enumerated;

    // Count-only scans: records counted in the current partition, and in the partitions finished.
    private long _partitionCount;
    private long _finishedCount;

    internal PegasusScanner(PegasusTable table, GetScannerRequest template, ScanOptions options, byte[]? hashKey, IReadOnlyList<ulong> targets, IReadOnlyList<int> partitionIndexes)
    {
        _table = table;
        _template = template;
        _options = options;
        _hashKey = hashKey;
        _targets = new Queue<ulong>(targets);
        PartitionIndexes = partitionIndexes;
    }

    /// <summary>Gets the partitions this scanner covers (one for a hash scan; none for an empty range).</summary>
    public IReadOnlyList<int> PartitionIndexes { get; }

    /// <summary>Gets a value indicating whether this is a full scan of partitions rather than a hash scan.</summary>
    public bool IsFullScan => _hashKey is null;

    /// <summary>Starts the (single) enumeration of the records.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The records' enumerator; each page is fetched as the previous one is consumed.</returns>
    /// <exception cref="InvalidOperationException">The scanner was already enumerated.</exception>
    public IAsyncEnumerator<PegasusRecord> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_options.OnlyReturnCount)
        {
            // The server returns no records: an empty enumeration would silently look like an empty range.
            throw new InvalidOperationException("A scanner with ScanOptions.OnlyReturnCount returns no records; call CountAsync.");
        }

        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A PegasusScanner can be enumerated only once; get a new scanner to scan again.");
        }

        return EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>
    /// Counts the matching records, consuming the scanner. With <see cref="ScanOptions.OnlyReturnCount"/> the server
    /// counts and no record travels; otherwise the records are fetched and counted here.
    /// </summary>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The number of matching (unexpired) records in the scanner's range or partitions.</returns>
    /// <exception cref="InvalidOperationException">The scanner was already enumerated or counted.</exception>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A PegasusScanner can be enumerated only once; get a new scanner to scan again.");
        }

        long count = 0;
        try
        {
            while (await NextBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
            {
                count += batch.Count;
            }
        }
        finally
        {
            await ClearContextAsync().ConfigureAwait(false);
        }

        return _options.OnlyReturnCount ? _finishedCount : count;
    }

    /// <summary>Clears the server's scan context, if one is open; the scanner returns nothing more.</summary>
    /// <returns>A task that completes when the context was cleared (best effort).</returns>
    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _enumerated, 1);
        _targets.Clear();
        _inPartition = false;
        await ClearContextAsync().ConfigureAwait(false);
    }

    private async IAsyncEnumerable<PegasusRecord> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            while (await NextBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
            {
                foreach (var record in batch)
                {
                    yield return record;
                }
            }
        }
        finally
        {
            await ClearContextAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The next non-empty page of records, or null when every partition is done.</summary>
    private async Task<List<PegasusRecord>?> NextBatchAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ScanResponse response;
            if (!_inPartition)
            {
                if (!_targets.TryDequeue(out _target))
                {
                    return null;
                }

                _inPartition = true;
                _contextId = ContextCompleted;
                _lastHashKey = _lastSortKey = _skipThrough = null;
                _partitionCount = 0;
                response = await OpenAsync(resume: false, cancellationToken).ConfigureAwait(false);
            }
            else if (_contextId >= 0)
            {
                if (await ContinueAsync(cancellationToken).ConfigureAwait(false) is { } next)
                {
                    response = next;
                }
                else
                {
                    // A record scan resumes after its last record; a count-only scan has none, so it counts the
                    // partition again from its start (dropping what it had counted there).
                    _partitionCount = 0;
                    response = await OpenAsync(resume: !_options.OnlyReturnCount, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                _inPartition = false;
                continue;
            }

            _contextId = response.ContextId;
            var records = ToRecords(response);
            _partitionCount += response.KvCount;
            if (_contextId < 0)
            {
                _inPartition = false;
                _finishedCount += _partitionCount;
                _partitionCount = 0;
            }

            if (records.Count > 0)
            {
                return records;
            }
        }
    }

    /// <summary>Opens a server scan context on the current partition (GetScanner, retried like any operation).</summary>
    private async Task<ScanResponse> OpenAsync(bool resume, CancellationToken cancellationToken)
    {
        var request = _template.Clone();
        if (resume && _lastSortKey is not null)
        {
            if (_hashKey is not null)
            {
                // A hash scan resumes right after the last record returned.
                request.StartSortKey = Requests.Bytes(_lastSortKey);
                request.StartInclusive = false;
            }
            else
            {
                // A full scan starts at (hash_key, start_sort_key). The records up to the last one returned are
                // also skipped here, so a server that restarted the partition from its beginning repeats nothing.
                request.HashKey = Requests.Bytes(_lastHashKey);
                request.StartSortKey = Requests.Bytes(_lastSortKey);
                request.StartInclusive = false;
                _skipThrough = StorageKey.Encode(_lastHashKey, _lastSortKey);
            }
        }

        var response = await _table.RunScanRequestAsync("GetScanner", _target, new DataRequest { GetScanner = request }, retry: true, _options.Timeout, cancellationToken)
            .ConfigureAwait(false);
        return response.Error == ErrorCode.Ok && response.Scan is { } scan
            ? scan
            : throw new PegasusException(response, $"GetScanner on table '{_table.Name}' failed with {response.Error} at {response.Server}: {response.ErrorMessage}");
    }

    /// <summary>Fetches the next page of the open context; null when the context is gone and the scan must reopen.</summary>
    private async Task<ScanResponse?> ContinueAsync(CancellationToken cancellationToken)
    {
        DataResponse response;
        try
        {
            // Not retried: a Scan whose response was lost may have consumed a page, so reopening is the safe retry.
            response = await _table.RunScanRequestAsync("Scan", _target, Requests.Scan(_contextId), retry: false, _options.Timeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (PegasusException ex) when (ex.IsTransient && ex.Error != ErrorCode.Timeout)
        {
            _table.Core.OperationLogger.LogDebugScanRestarted(_table.Name, _table.Router.Current.PartitionIndexOf(_target), ex.Message);
            _contextId = ContextCompleted;
            return null;
        }

        switch (response.Error)
        {
            case ErrorCode.Ok when response.Scan is { } scan:
                return scan;
            case ErrorCode.NotFound:
                // The server no longer has the context (expired, or another primary now serves the partition).
                _table.Core.OperationLogger.LogDebugScanRestarted(_table.Name, _table.Router.Current.PartitionIndexOf(_target), "context not found");
                _contextId = ContextCompleted;
                return null;
            default:
                throw new PegasusException(response, $"Scan on table '{_table.Name}' failed with {response.Error} at {response.Server}: {response.ErrorMessage}");
        }
    }

    private List<PegasusRecord> ToRecords(ScanResponse response)
    {
        var records = new List<PegasusRecord>(response.Kvs.Count);
        foreach (var kv in response.Kvs)
        {
            var hashKey = _hashKey ?? kv.HashKey.ToByteArray();
            var sortKey = kv.SortKey.ToByteArray();
            if (_skipThrough is not null)
            {
                if (StorageKey.Encode(hashKey, sortKey).AsSpan().SequenceCompareTo(_skipThrough) <= 0)
                {
                    continue;
                }

                // Records come in storage order: everything after this one is new too.
                _skipThrough = null;
            }

            _lastHashKey = hashKey;
            _lastSortKey = sortKey;
            records.Add(new PegasusRecord(hashKey, sortKey, kv.Value.ToByteArray(), kv.ExpireTsSeconds));
        }

        return records;
    }

    private async Task ClearContextAsync()
    {
        var contextId = _contextId;
        _contextId = ContextCompleted;
        if (contextId < 0)
        {
            return;
        }

        try
        {
            await _table.RunScanRequestAsync("ClearScanner", _target, Requests.ClearScanner(contextId), retry: false, _options.Timeout, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PegasusException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: the server expires idle contexts on its own.
        }
    }
}
