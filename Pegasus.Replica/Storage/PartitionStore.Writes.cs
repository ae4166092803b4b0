using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Keys;

namespace Pegasus.Replica.Storage;

public sealed partial class PartitionStore
{
    /// <summary>
    /// Applies the write of <paramref name="decree"/>, which must be <see cref="LastAppliedDecree"/>
    /// + 1, atomically with the decree record, and fills <paramref name="response"/> (error and
    /// result). A write that fails validation or its check still consumes the decree: the decree
    /// is recorded and no data changes, so every replica of the mutation log ends up identical.
    /// Called by one writer at a time.
    /// </summary>
    /// <exception cref="ArgumentException">The request is not a write.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The decree is not the next one.</exception>
    /// <exception cref="ObjectDisposedException">The store is closed.</exception>
    /// <exception cref="RocksDbSharp.RocksDbSharpException">
    /// RocksDB failed to write; the decree was not applied and the replica should stop serving.
    /// </exception>
    public void ApplyWrite(long decree, DataRequest request, DataResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (!IsWrite(request.OpCase))
        {
            throw new ArgumentException($"{request.OpCase} is not a write operation", nameof(request));
        }

        ObjectDisposedException.ThrowIf(!_gate.TryEnter(), this);
        try
        {
            CheckNextDecree(decree);
            Stage(decree, request, response);
            Commit(decree);
        }
        finally
        {
            _writeBatch.Clear();
            _gate.Exit();
        }
    }

    /// <summary>
    /// Applies consecutive decrees from <paramref name="firstDecree"/> (which must be <see cref="LastAppliedDecree"/> + 1)
    /// as <see cref="ApplyWrite"/> would one by one, but with as few RocksDB writes as their reads allow: writes that
    /// read nothing share one atomic write with their decree record, and a write that reads stored data (incr,
    /// check-and-set, check-and-mutate) first has everything before it written, so it reads what it would have read
    /// alone. A crash leaves the store at a decree between (every write is atomic with its decree record).
    /// </summary>
    /// <param name="firstDecree">The decree of the first request.</param>
    /// <param name="requests">The write requests, in decree order.</param>
    /// <param name="responses">One response to fill per request.</param>
    /// <exception cref="ArgumentException">A request is not a write, or the counts differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The first decree is not the next one.</exception>
    /// <exception cref="ObjectDisposedException">The store is closed.</exception>
    /// <exception cref="RocksDbSharp.RocksDbSharpException">
    /// RocksDB failed to write; <see cref="LastAppliedDecree"/> tells how far the batch got, and the replica should stop serving.
    /// </exception>
    public void ApplyWrites(long firstDecree, IReadOnlyList<DataRequest> requests, IReadOnlyList<DataResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        if (requests.Count != responses.Count)
        {
            throw new ArgumentException($"{requests.Count} requests but {responses.Count} responses", nameof(responses));
        }

        foreach (var request in requests)
        {
            if (!IsWrite(request.OpCase))
            {
                throw new ArgumentException($"{request.OpCase} is not a write operation", nameof(requests));
            }
        }

        ObjectDisposedException.ThrowIf(!_gate.TryEnter(), this);
        try
        {
            CheckNextDecree(firstDecree);
            var staged = 0L;
            for (var i = 0; i < requests.Count; i++)
            {
                var decree = firstDecree + i;
                if (staged != 0 && ReadsStoredData(requests[i].OpCase))
                {
                    Commit(staged);
                    _writeBatch.Clear();
                    staged = 0;
                }

                Stage(decree, requests[i], responses[i]);
                staged = decree;
            }

            if (staged != 0)
            {
                Commit(staged);
            }
        }
        finally
        {
            _writeBatch.Clear();
            _gate.Exit();
        }
    }

    /// <summary>The writes whose outcome depends on stored data, read from the database (not from a pending batch).</summary>
    private static bool ReadsStoredData(DataRequest.OpOneofCase op) => op is DataRequest.OpOneofCase.Incr
        or DataRequest.OpOneofCase.CheckAndSet or DataRequest.OpOneofCase.CheckAndMutate;

    /// <summary>Validates one write, adds its changes to the pending batch and fills its response.</summary>
    private void Stage(long decree, DataRequest request, DataResponse response)
    {
        FillHeader(response);
        response.Decree = decree;
        if (Validate(request, response))
        {
            switch (request.OpCase)
            {
                case DataRequest.OpOneofCase.Set:
                    PutRecord(request.Set.HashKey, request.Set.SortKey, request.Set.Value.Span, request.Set.ExpireTsSeconds);
                    break;
                case DataRequest.OpOneofCase.Delete:
                    DeleteRecord(request.Delete.HashKey, request.Delete.SortKey);
                    break;
                case DataRequest.OpOneofCase.MultiSet:
                    MultiSet(request.MultiSet);
                    break;
                case DataRequest.OpOneofCase.MultiDelete:
                    MultiDelete(request.MultiDelete, response);
                    break;
                case DataRequest.OpOneofCase.Incr:
                    Incr(request.Incr, response);
                    break;
                case DataRequest.OpOneofCase.CheckAndSet:
                    CheckAndSet(request.CheckAndSet, response);
                    break;
                case DataRequest.OpOneofCase.CheckAndMutate:
                    CheckAndMutate(request.CheckAndMutate, response);
                    break;
            }
        }

        if (response.Error != ErrorCode.Ok)
        {
            LogDebugInvalidWrite(_logger, decree, AppId, PartitionIndex, response.Error, response.ErrorMessage);
        }
    }

    /// <summary>
    /// Records <paramref name="decree"/> without changing data, for mutations that carry no
    /// write (for example the empty mutation a new primary commits to fix its starting point).
    /// </summary>
    public void ApplyEmptyWrite(long decree)
    {
        ObjectDisposedException.ThrowIf(!_gate.TryEnter(), this);
        try
        {
            CheckNextDecree(decree);
            Commit(decree);
        }
        finally
        {
            _writeBatch.Clear();
            _gate.Exit();
        }
    }

    private void CheckNextDecree(long decree)
    {
        var expected = LastAppliedDecree + 1;
        if (decree != expected)
        {
            throw new ArgumentOutOfRangeException(nameof(decree), decree,
                $"partition {AppId}.{PartitionIndex} expects decree {expected}; decrees are applied in order, once");
        }
    }

    /// <summary>Writes the batched data and the decree record in one atomic RocksDB write.</summary>
    private void Commit(long decree)
    {
        Span<byte> decreeBytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(decreeBytes, decree);
        _writeBatch.Put(LastAppliedDecreeKey, decreeBytes, _metaCf);
        _db.Write(_writeBatch, _writeOptions);
        Volatile.Write(ref _lastAppliedDecree, decree);
    }

    private void PutRecord(ByteString hashKey, ByteString sortKey, ReadOnlySpan<byte> value, uint expireTs)
    {
        // The batch copies the value at once, so it is encoded into a pooled buffer rather than a
        // new array per write (large values would otherwise each land on the large object heap).
        var buffer = ArrayPool<byte>.Shared.Rent(StoredValue.HeaderLength + value.Length);
        try
        {
            var length = StoredValue.Encode(value, expireTs, buffer);
            _writeBatch.Put(StorageKey.Encode(hashKey.Span, sortKey.Span), buffer.AsSpan(0, length), _dataCf);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void DeleteRecord(ByteString hashKey, ByteString sortKey)
        => _writeBatch.Delete(StorageKey.Encode(hashKey.Span, sortKey.Span), _dataCf);

    /// <summary>Like Pegasus's multi_put, every record takes the request's expire time.</summary>
    private void MultiSet(MultiSetRequest request)
    {
        foreach (var kv in request.Kvs)
        {
            PutRecord(request.HashKey, kv.SortKey, kv.Value.Span, request.ExpireTsSeconds);
        }
    }

    /// <summary>Like Pegasus's multi_remove, the count is the number of sort keys named, present or not.</summary>
    private void MultiDelete(MultiDeleteRequest request, DataResponse response)
    {
        foreach (var sortKey in request.SortKeys)
        {
            DeleteRecord(request.HashKey, sortKey);
        }

        response.MultiDelete = new MultiDeleteResponse { Count = request.SortKeys.Count };
    }

    /// <summary>
    /// Pegasus's incr: an absent, expired or empty value counts as 0; the stored value must be
    /// an int64 in text; overflow fails and answers the old value. The expire time argument
    /// keeps (0), clears (&lt; 0) or sets (&gt; 0) the record's TTL; a new record only takes a
    /// positive one. A record that would end up without a TTL takes the table's default one, which the primary put in
    /// the request.
    /// </summary>
    private void Incr(IncrRequest request, DataResponse response)
    {
        var result = new IncrResponse();
        response.Incr = result;
        var stored = ReadLive(request.HashKey, request.SortKey, Now());
        long newValue;
        uint newExpireTs;
        if (stored is null)
        {
            newValue = request.Increment;
            newExpireTs = request.ExpireTsSeconds > 0 ? (uint)request.ExpireTsSeconds : 0;
        }
        else
        {
            var oldValue = StoredValue.UserData(stored);
            if (oldValue.IsEmpty)
            {
                newValue = request.Increment;
            }
            else if (!Int64Text.TryParse(oldValue, out var oldInt))
            {
                Fail(response, ErrorCode.InvalidArgument, "the stored value is not an int64 in text, or out of range");
                return;
            }
            else if (!TryAdd(oldInt, request.Increment, out newValue))
            {
                result.NewValue = oldInt;
                Fail(response, ErrorCode.InvalidArgument,
                    $"incrementing {oldInt} by {request.Increment} overflows int64");
                return;
            }

            newExpireTs = request.ExpireTsSeconds switch
            {
                0 => StoredValue.ExpireTs(stored),
                < 0 => 0,
                _ => (uint)request.ExpireTsSeconds,
            };
        }

        // Pegasus gives a record its table's default TTL whenever a write would leave it without one, incr included.
        if (newExpireTs == 0)
        {
            newExpireTs = request.DefaultExpireTsSeconds;
        }

        var text = Encoding.ASCII.GetBytes(newValue.ToString(CultureInfo.InvariantCulture));
        PutRecord(request.HashKey, request.SortKey, text, newExpireTs);
        result.NewValue = newValue;
    }

    private static bool TryAdd(long a, long b, out long sum)
    {
        sum = unchecked(a + b);

        // Overflow iff both operands have the same sign and the sum's sign differs.
        return ((a ^ sum) & (b ^ sum)) >= 0;
    }
}
