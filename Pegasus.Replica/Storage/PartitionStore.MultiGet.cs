using Google.Protobuf;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Keys;

namespace Pegasus.Replica.Storage;

public sealed partial class PartitionStore
{
    /// <summary>
    /// Pegasus's on_multi_get: by sort-key list, or by sort-key range with bounds, a sort-key
    /// filter, count and size limits, no-value and reverse. Results are ascending by sort key
    /// even for a reverse read (Pegasus re-reverses them). INCOMPLETE means a limit stopped the
    /// read while more records of the hash key may follow.
    /// </summary>
    private void MultiGet(MultiGetRequest request, DataResponse response)
    {
        // The server's iteration count also caps what a client may ask for.
        var maxKvCount = _options.MultiGetMaxIterationCount;
        if (request.MaxKvCount > 0 && request.MaxKvCount < maxKvCount)
        {
            maxKvCount = request.MaxKvCount;
        }

        long maxKvSize = request.MaxKvSize > 0 ? request.MaxKvSize : int.MaxValue;
        var result = new MultiGetResponse();
        response.MultiGet = result;
        if (request.SortKeys.Count > 0)
        {
            MultiGetByKeys(request, maxKvCount, maxKvSize, result, response);
        }
        else
        {
            MultiGetByRange(request, maxKvCount, maxKvSize, result, response);
        }
    }

    private void MultiGetByKeys(MultiGetRequest request, int maxKvCount, long maxKvSize, MultiGetResponse result, DataResponse response)
    {
        var keys = new byte[request.SortKeys.Count][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = StorageKey.Encode(request.HashKey.Span, request.SortKeys[i].Span);
        }

        var values = MultiGetRaw(keys);
        var now = Now();
        var count = 0;
        long size = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var stored = values[i];
            if (stored is null || StoredValue.IsExpired(stored, now))
            {
                continue;
            }

            // Pegasus checks the limits before adding, so the size limit may be passed by one record.
            if (count >= maxKvCount || size >= maxKvSize)
            {
                response.Error = ErrorCode.Incomplete;
                return;
            }

            var kv = new KeyValue { SortKey = request.SortKeys[i] };
            if (!request.NoValue)
            {
                kv.Value = UserDataOf(stored);
            }

            count++;
            size += kv.SortKey.Length + kv.Value.Length;
            result.Kvs.Add(kv);
        }
    }

    private void MultiGetByRange(MultiGetRequest request, int maxKvCount, long maxKvSize, MultiGetResponse result, DataResponse response)
    {
        var hashKey = request.HashKey.Span;
        var hashKeyPrefix = StorageKey.EncodeHashKeyPrefix(hashKey);
        var start = StorageKey.Encode(hashKey, request.StartSortKey.Span);
        var startInclusive = request.StartInclusive;
        byte[] stop;
        bool stopInclusive;
        if (request.StopSortKey.IsEmpty)
        {
            // Up to the end of the hash key. PrefixSuccessor is never null for a valid hash key
            // (its 2-byte length is below 0xFFFF).
            stop = StorageKey.PrefixSuccessor(hashKeyPrefix)!;
            stopInclusive = false;
        }
        else
        {
            stop = StorageKey.Encode(hashKey, request.StopSortKey.Span);
            stopInclusive = request.StopInclusive;
        }

        NarrowByPrefixFilter(hashKey, request.SortKeyFilterType, request.SortKeyFilterPattern,
            ref start, ref startInclusive, ref stop, ref stopInclusive);
        if (IsEmptyRange(start, startInclusive, stop, stopInclusive))
        {
            return;
        }

        long maxIterationSize = _options.MultiGetMaxIterationSize > 0 ? _options.MultiGetMaxIterationSize : int.MaxValue;
        var limiter = new RangeReadLimiter(_options.MultiGetMaxIterationCount, Math.Min(maxKvSize, maxIterationSize),
            _options.IterationThresholdTime, _timeProvider);
        var range = new SortKeyRange(start, startInclusive, stop, stopInclusive);

        // Bound the iterator to the hash key in both directions: forward this is Pegasus's
        // prefix_same_as_start, so "more records follow" means more of this hash key.
        using var readOptions = HashKeyReadOptions(hashKeyPrefix).WithLowerBound(hashKeyPrefix);
        using var iterator = _db.NewIterator(_dataCf, readOptions);
        var now = Now();
        List<KeyValue> kvs = [];
        bool complete;
        if (!request.Reverse)
        {
            complete = ScanRangeForward(iterator, range, request, maxKvCount, limiter, now, kvs);
        }
        else
        {
            complete = ScanRangeBackward(iterator, range, request, maxKvCount, limiter, now, kvs);
            kvs.Reverse();
        }

        ThrowIfIteratorFailed(iterator);
        result.Kvs.AddRange(kvs);
        if (iterator.Valid() && !complete)
        {
            response.Error = ErrorCode.Incomplete;
            if (limiter.ExceededTime)
            {
                LogWarningSlowRangeRead(_logger, nameof(MultiGet), AppId, PartitionIndex, limiter.IterationCount, _options.IterationThresholdTime);
            }
        }
    }

    /// <summary>Returns true when the range was read to its end.</summary>
    private static bool ScanRangeForward(RocksDbSharp.Iterator iterator, SortKeyRange range, MultiGetRequest request,
        int maxKvCount, RangeReadLimiter limiter, uint now, List<KeyValue> kvs)
    {
        iterator.Seek(range.Start);
        var skipStart = !range.StartInclusive;
        while (kvs.Count < maxKvCount && limiter.Valid() && iterator.Valid())
        {
            var key = iterator.GetKeySpan();
            var c = key.SequenceCompareTo(range.Stop);
            if (c > 0 || (c == 0 && !range.StopInclusive))
            {
                return true;
            }

            // Only the first record can equal an exclusive start.
            if (skipStart)
            {
                skipStart = false;
                if (key.SequenceEqual(range.Start))
                {
                    iterator.Next();
                    continue;
                }
            }

            limiter.AddCount();
            AppendForMultiGet(iterator, request, now, limiter, kvs);
            if (c == 0)
            {
                return true;
            }

            iterator.Next();
        }

        return false;
    }

    private static bool ScanRangeBackward(RocksDbSharp.Iterator iterator, SortKeyRange range, MultiGetRequest request,
        int maxKvCount, RangeReadLimiter limiter, uint now, List<KeyValue> kvs)
    {
        iterator.SeekForPrev(range.Stop);
        var skipStop = !range.StopInclusive;
        while (kvs.Count < maxKvCount && limiter.Valid() && iterator.Valid())
        {
            var key = iterator.GetKeySpan();
            var c = key.SequenceCompareTo(range.Start);
            if (c < 0 || (c == 0 && !range.StartInclusive))
            {
                return true;
            }

            if (skipStop)
            {
                skipStop = false;
                if (key.SequenceEqual(range.Stop))
                {
                    iterator.Prev();
                    continue;
                }
            }

            limiter.AddCount();
            AppendForMultiGet(iterator, request, now, limiter, kvs);
            if (c == 0)
            {
                return true;
            }

            iterator.Prev();
        }

        return false;
    }

    /// <summary>Pegasus's append_key_value_for_multi_get: skips expired and filtered records.</summary>
    private static void AppendForMultiGet(RocksDbSharp.Iterator iterator, MultiGetRequest request, uint now,
        RangeReadLimiter limiter, List<KeyValue> kvs)
    {
        var stored = iterator.GetValueSpan();
        if (StoredValue.IsExpired(stored, now))
        {
            return;
        }

        StorageKey.TryDecode(iterator.GetKeySpan(), out _, out var sortKey);
        if (!KeyFilter.Matches(request.SortKeyFilterType, request.SortKeyFilterPattern.Span, sortKey))
        {
            return;
        }

        var kv = new KeyValue { SortKey = ByteString.CopyFrom(sortKey) };
        if (!request.NoValue)
        {
            kv.Value = ByteString.CopyFrom(StoredValue.UserData(stored));
        }

        kvs.Add(kv);
        limiter.AddSize(kv.SortKey.Length + kv.Value.Length);
    }

    /// <summary>
    /// A prefix filter on sort keys narrows the range itself, so the read seeks straight to the
    /// matching sort keys instead of filtering the whole hash key (Pegasus does the same).
    /// </summary>
    private static void NarrowByPrefixFilter(ReadOnlySpan<byte> hashKey, FilterType filterType, ByteString pattern,
        ref byte[] start, ref bool startInclusive, ref byte[] stop, ref bool stopInclusive)
    {
        if (filterType != FilterType.MatchPrefix || pattern.IsEmpty)
        {
            return;
        }

        var prefixStart = StorageKey.Encode(hashKey, pattern.Span);
        if (prefixStart.AsSpan().SequenceCompareTo(start) > 0)
        {
            start = prefixStart;
            startInclusive = true;
        }

        var prefixStop = StorageKey.PrefixSuccessor(prefixStart)!;
        if (prefixStop.AsSpan().SequenceCompareTo(stop) <= 0)
        {
            stop = prefixStop;
            stopInclusive = false;
        }
    }

    private static bool IsEmptyRange(byte[] start, bool startInclusive, byte[] stop, bool stopInclusive)
    {
        var c = start.AsSpan().SequenceCompareTo(stop);
        return c > 0 || (c == 0 && (!startInclusive || !stopInclusive));
    }

    private readonly record struct SortKeyRange(byte[] Start, bool StartInclusive, byte[] Stop, bool StopInclusive);
}
