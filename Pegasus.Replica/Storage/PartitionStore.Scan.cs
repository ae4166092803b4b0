using Google.Protobuf;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Keys;

namespace Pegasus.Replica.Storage;

public sealed partial class PartitionStore
{
    /// <summary>Scan context id meaning "the scan is complete" (Pegasus SCAN_CONTEXT_ID_COMPLETED).</summary>
    public const long ScanContextCompleted = -1;

    /// <summary>
    /// Every storage key is below this one: a hash-key length prefix of 0xFFFF is reserved
    /// (Pegasus's full-scan stop key).
    /// </summary>
    private static readonly byte[] PartitionEnd = [0xFF, 0xFF];

    /// <summary>
    /// Pegasus's on_get_scanner: opens a scan over one hash key's sort-key range or, for a full
    /// scan, over the whole partition starting at (hash_key, start_sort_key); returns the first
    /// batch and a context id for the rest (-1 when complete).
    /// </summary>
    private void GetScanner(GetScannerRequest request, DataResponse response)
    {
        var result = new ScanResponse { ContextId = ScanContextCompleted };
        response.Scan = result;

        byte[] start;
        bool startInclusive;
        byte[] stop;
        bool stopInclusive;
        byte[]? upperBound;
        var hashKey = request.HashKey.Span;
        if (request.FullScan)
        {
            start = StorageKey.Encode(hashKey, request.StartSortKey.Span);

            // The very beginning of the partition is always included: the record with an
            // empty hash key and an empty sort key has exactly that storage key.
            startInclusive = request.StartInclusive || (hashKey.IsEmpty && request.StartSortKey.IsEmpty);
            stop = PartitionEnd;
            stopInclusive = false;
            upperBound = null;
        }
        else
        {
            var hashKeyPrefix = StorageKey.EncodeHashKeyPrefix(hashKey);
            upperBound = StorageKey.PrefixSuccessor(hashKeyPrefix)!;
            start = StorageKey.Encode(hashKey, request.StartSortKey.Span);
            startInclusive = request.StartInclusive;
            if (request.StopSortKey.IsEmpty)
            {
                stop = upperBound;
                stopInclusive = false;
            }
            else
            {
                stop = StorageKey.Encode(hashKey, request.StopSortKey.Span);
                stopInclusive = request.StopInclusive;
            }

            NarrowByPrefixFilter(hashKey, request.SortKeyFilterType, request.SortKeyFilterPattern,
                ref start, ref startInclusive, ref stop, ref stopInclusive);
        }

        // Hash keys are not ordered by their bytes alone (the length comes first), so a hash key
        // prefix filter can only raise the start, never lower the stop.
        if (request.HashKeyFilterType == FilterType.MatchPrefix && !request.HashKeyFilterPattern.IsEmpty)
        {
            var prefixStart = StorageKey.EncodeHashKeyPrefix(request.HashKeyFilterPattern.Span);
            if (prefixStart.AsSpan().SequenceCompareTo(start) > 0)
            {
                start = prefixStart;
                startInclusive = true;
            }
        }

        if (IsEmptyRange(start, startInclusive, stop, stopInclusive))
        {
            return;
        }

        var readOptions = new OwnedReadOptions();
        if (upperBound is not null)
        {
            readOptions.WithUpperBound(upperBound);
        }

        var batchSize = request.BatchSize > 0 ? request.BatchSize : _options.DefaultScanBatchSize;
        var context = new ScanContext
        {
            Iterator = _db.NewIterator(_dataCf, readOptions),
            ReadOptions = readOptions,
            Stop = stop,
            StopInclusive = stopInclusive,
            HashKeyFilterType = request.HashKeyFilterType,
            HashKeyFilterPattern = request.HashKeyFilterPattern.ToByteArray(),
            SortKeyFilterType = request.SortKeyFilterType,
            SortKeyFilterPattern = request.SortKeyFilterPattern.ToByteArray(),
            BatchSize = batchSize,
            NoValue = request.NoValue,
            ValidatePartitionHash = request.FullScan,
            ReturnExpireTs = request.ReturnExpireTs,
            OnlyReturnCount = request.OnlyReturnCount,
        };

        try
        {
            context.Iterator.Seek(start);
            if (!startInclusive && context.Iterator.Valid() && context.Iterator.GetKeySpan().SequenceEqual(start))
            {
                context.Iterator.Next();
            }
        }
        catch
        {
            context.Dispose();
            throw;
        }

        ContinueScan(context, result, response, firstBatch: true);
    }

    /// <summary>Pegasus's on_scan: the next batch of an open scan context.</summary>
    private void Scan(ScanRequest request, DataResponse response)
    {
        var context = _scanContexts.Take(request.ContextId);
        if (context is null)
        {
            Fail(response, ErrorCode.NotFound,
                $"scan context {request.ContextId} does not exist on partition {AppId}.{PartitionIndex}: it completed, was cleared, timed out or never existed; restart the scan after the last record received");
            return;
        }

        var result = new ScanResponse { ContextId = ScanContextCompleted };
        response.Scan = result;
        ContinueScan(context, result, response, firstBatch: false);
    }

    /// <summary>
    /// Reads one batch from the context's iterator, then either parks the context for the next
    /// batch or frees it. Owns <paramref name="context"/> from here on, also on failure. As in
    /// Pegasus, the batch GetScanner answers (<paramref name="firstBatch"/>) may examine up to the
    /// server's iteration limit, so a sparse filter still fills it; later batches examine at most
    /// the batch size. A batch also ends once its records reach <see cref="StorageOptions.MaxScanBatchBytes"/>.
    /// </summary>
    private void ContinueScan(ScanContext context, ScanResponse result, DataResponse response, bool firstBatch)
    {
        var parked = false;
        try
        {
            var batchCount = Math.Min(context.BatchSize, _options.MaxIterationCount);
            var limiter = new RangeReadLimiter(firstBatch ? _options.MaxIterationCount : batchCount, 0, _options.IterationThresholdTime, _timeProvider);
            var iterator = context.Iterator;
            var now = Now();
            var count = 0;
            long bytes = 0;
            var complete = false;

            // The byte cap ends the batch after the record that reached it (so a huge record still goes alone);
            // the iterator then stands at the next record and the context continues from there.
            while (count < batchCount && bytes < _options.MaxScanBatchBytes && limiter.Valid() && iterator.Valid())
            {
                var key = iterator.GetKeySpan();
                var c = key.SequenceCompareTo(context.Stop);
                if (c > 0 || (c == 0 && !context.StopInclusive))
                {
                    complete = true;
                    break;
                }

                limiter.AddCount();
                var stored = iterator.GetValueSpan();
                if (IsScanMatch(context, key, stored, now))
                {
                    count++;
                    if (!context.OnlyReturnCount)
                    {
                        var record = ToScanRecord(context, key, stored);
                        result.Kvs.Add(record);
                        bytes += record.HashKey.Length + record.SortKey.Length + record.Value.Length;
                    }
                }

                if (c == 0)
                {
                    complete = true;
                    break;
                }

                iterator.Next();
            }

            if (context.OnlyReturnCount)
            {
                result.KvCount = count;
            }

            if (!complete)
            {
                limiter.TimeCheckAfterIncompleteScan();
            }

            ThrowIfIteratorFailed(iterator);
            if (limiter.ExceededTime)
            {
                // Pegasus ends the scan with INCOMPLETE; the client sees an error.
                LogWarningSlowRangeRead(_logger, nameof(Scan), AppId, PartitionIndex, limiter.IterationCount, _options.IterationThresholdTime);
                response.Error = ErrorCode.Incomplete;
                response.ErrorMessage = $"the scan batch took longer than {_options.IterationThresholdTime}";
            }
            else if (iterator.Valid() && !complete)
            {
                result.ContextId = _scanContexts.Put(context, out var evictedId);
                parked = true;
                if (evictedId >= 0)
                {
                    LogWarningScanContextEvicted(_logger, AppId, PartitionIndex, _options.MaxScanContexts, evictedId);
                }
            }
        }
        finally
        {
            if (!parked)
            {
                context.Dispose();
            }
        }
    }

    /// <summary>Pegasus's validate_key_value_for_scan.</summary>
    private bool IsScanMatch(ScanContext context, ReadOnlySpan<byte> key, ReadOnlySpan<byte> stored, uint now)
    {
        if (StoredValue.IsExpired(stored, now) || !StorageKey.TryDecode(key, out var hashKey, out var sortKey))
        {
            return false;
        }

        // A full scan reads the whole RocksDB instance; keys of other partitions (left behind by
        // a split or a misrouted write in another implementation) must not leak out.
        if (context.ValidatePartitionHash && PartitionResolver.PartitionIndex(hashKey, sortKey, PartitionCount) != PartitionIndex)
        {
            return false;
        }

        return KeyFilter.Matches(context.HashKeyFilterType, context.HashKeyFilterPattern, hashKey)
               && KeyFilter.Matches(context.SortKeyFilterType, context.SortKeyFilterPattern, sortKey);
    }

    private static ScanRecord ToScanRecord(ScanContext context, ReadOnlySpan<byte> key, ReadOnlySpan<byte> stored)
    {
        StorageKey.TryDecode(key, out var hashKey, out var sortKey);
        var record = new ScanRecord
        {
            HashKey = ByteString.CopyFrom(hashKey),
            SortKey = ByteString.CopyFrom(sortKey),
        };
        if (context.ReturnExpireTs)
        {
            record.ExpireTsSeconds = StoredValue.ExpireTs(stored);
        }

        if (!context.NoValue)
        {
            record.Value = ByteString.CopyFrom(StoredValue.UserData(stored));
        }

        return record;
    }
}
