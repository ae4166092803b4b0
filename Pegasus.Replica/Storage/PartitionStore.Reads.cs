using System.Runtime.InteropServices;
using Google.Protobuf;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Keys;
using RocksDbSharp;

namespace Pegasus.Replica.Storage;

public sealed partial class PartitionStore
{
    /// <summary>
    /// Serves a read (Get, Exist, Ttl, MultiGet, SortKeyCount, BatchGet, GetScanner, Scan,
    /// ClearScanner) and fills <paramref name="response"/>. Thread-safe. Storage failures are
    /// answered with IoError / Corruption, a closed store with InvalidState.
    /// </summary>
    public void ExecuteRead(DataRequest request, DataResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        FillHeader(response);
        if (!IsRead(request.OpCase))
        {
            Fail(response, ErrorCode.InvalidArgument, $"{request.OpCase} is not a read operation");
            return;
        }

        if (!_gate.TryEnter())
        {
            Fail(response, ErrorCode.InvalidState, $"partition {AppId}.{PartitionIndex} is closed");
            return;
        }

        try
        {
            if (!Validate(request, response))
            {
                return;
            }

            switch (request.OpCase)
            {
                case DataRequest.OpOneofCase.Get:
                    Get(request.Get, response);
                    break;
                case DataRequest.OpOneofCase.Exist:
                    Exist(request.Exist, response);
                    break;
                case DataRequest.OpOneofCase.Ttl:
                    Ttl(request.Ttl, response);
                    break;
                case DataRequest.OpOneofCase.MultiGet:
                    MultiGet(request.MultiGet, response);
                    break;
                case DataRequest.OpOneofCase.SortKeyCount:
                    SortKeyCount(request.SortKeyCount, response);
                    break;
                case DataRequest.OpOneofCase.BatchGet:
                    BatchGet(request.BatchGet, response);
                    break;
                case DataRequest.OpOneofCase.GetScanner:
                    GetScanner(request.GetScanner, response);
                    break;
                case DataRequest.OpOneofCase.Scan:
                    Scan(request.Scan, response);
                    break;
                case DataRequest.OpOneofCase.ClearScanner:
                    _scanContexts.Remove(request.ClearScanner.ContextId);
                    break;
            }
        }
        catch (RocksDbSharpException e)
        {
            LogErrorReadFailed(_logger, AppId, PartitionIndex, request.OpCase.ToString(), e);
            response.ClearResult();
            Fail(response, e.Message.StartsWith("Corruption", StringComparison.Ordinal) ? ErrorCode.Corruption : ErrorCode.IoError, e.Message);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void Get(GetRequest request, DataResponse response)
    {
        var stored = ReadLive(request.HashKey, request.SortKey, Now());
        if (stored is null)
        {
            response.Error = ErrorCode.NotFound;
            return;
        }

        response.Get = new GetResponse { Value = UserDataOf(stored) };
    }

    private void Exist(ExistRequest request, DataResponse response)
        => response.Exist = new ExistResponse { Exists = ReadLive(request.HashKey, request.SortKey, Now()) is not null };

    private void Ttl(TtlRequest request, DataResponse response)
    {
        var now = Now();
        var stored = ReadLive(request.HashKey, request.SortKey, now);
        if (stored is null)
        {
            response.Error = ErrorCode.NotFound;
            return;
        }

        // Live means expireTs > now, so the difference is positive; it is clamped because an
        // expire time more than int.MaxValue seconds away would otherwise wrap negative (Pegasus
        // wraps; its clients only write expire times that fit).
        var expireTs = StoredValue.ExpireTs(stored);
        response.Ttl = new TtlResponse { TtlSeconds = expireTs > 0 ? (int)Math.Min(expireTs - now, int.MaxValue) : -1 };
    }

    private void BatchGet(BatchGetRequest request, DataResponse response)
    {
        var keys = new byte[request.Keys.Count][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = StorageKey.Encode(request.Keys[i].HashKey.Span, request.Keys[i].SortKey.Span);
        }

        var values = MultiGetRaw(keys);
        var now = Now();
        var result = new BatchGetResponse();
        for (var i = 0; i < values.Length; i++)
        {
            var stored = values[i];
            if (stored is null || StoredValue.IsExpired(stored, now))
            {
                continue;
            }

            result.Data.Add(new FullData
            {
                HashKey = request.Keys[i].HashKey,
                SortKey = request.Keys[i].SortKey,
                Value = UserDataOf(stored),
            });
        }

        response.BatchGet = result;
    }

    private void SortKeyCount(SortKeyCountRequest request, DataResponse response)
    {
        var prefix = StorageKey.EncodeHashKeyPrefix(request.HashKey.Span);
        using var readOptions = HashKeyReadOptions(prefix);
        using var iterator = _db.NewIterator(_dataCf, readOptions);
        iterator.Seek(prefix);

        // Like Pegasus, only the time threshold bounds a count: it reads no values out.
        var limiter = new RangeReadLimiter(_options.MaxIterationCount, 0, _options.IterationThresholdTime, _timeProvider);
        var now = Now();
        long count = 0;
        while (limiter.TimeCheck() && iterator.Valid())
        {
            limiter.AddCount();
            if (!StoredValue.IsExpired(iterator.GetValueSpan(), now))
            {
                count++;
            }

            iterator.Next();
        }

        ThrowIfIteratorFailed(iterator);
        if (limiter.ExceededTime)
        {
            // Pegasus answers OK with count -1: "too many to count in time".
            LogWarningSlowRangeRead(_logger, nameof(SortKeyCount), AppId, PartitionIndex, limiter.IterationCount, _options.IterationThresholdTime);
            count = -1;
        }

        response.SortKeyCount = new SortKeyCountResponse { Count = count };
    }

    /// <summary>The stored value of a live (present, unexpired) record, or null.</summary>
    private byte[]? ReadLive(ByteString hashKey, ByteString sortKey, uint now)
    {
        var stored = _db.Get(StorageKey.Encode(hashKey.Span, sortKey.Span), _dataCf, _pointReadOptions);
        return stored is null || StoredValue.IsExpired(stored, now) ? null : stored;
    }

    /// <summary>The user data of a stored value, wrapped without a copy (the array is ours).</summary>
    private static ByteString UserDataOf(byte[] stored)
        => stored.Length <= StoredValue.HeaderLength
            ? ByteString.Empty
            : UnsafeByteOperations.UnsafeWrap(stored.AsMemory(StoredValue.HeaderLength));

    /// <summary>Read options whose iterators stay within one hash key (Pegasus's prefix_same_as_start).</summary>
    private static OwnedReadOptions HashKeyReadOptions(byte[] hashKeyPrefix)
    {
        var readOptions = new OwnedReadOptions();
        var upper = StorageKey.PrefixSuccessor(hashKeyPrefix);
        if (upper is not null)
        {
            readOptions.WithUpperBound(upper);
        }

        return readOptions;
    }

    /// <summary>
    /// Reads many keys from one consistent view (RocksDB MultiGet). RocksDbSharp's wrapper drops
    /// per-key errors, so they are collected here and turned into an exception.
    /// </summary>
    private byte[]?[] MultiGetRaw(byte[][] keys)
    {
        var errors = new IntPtr[keys.Length];
        var pairs = Native.Instance.rocksdb_multi_get(_db.Handle, _pointReadOptions.Handle, keys, errors);
        string? firstError = null;
        foreach (var error in errors)
        {
            if (error != IntPtr.Zero)
            {
                firstError ??= Marshal.PtrToStringUTF8(error);
                Native.Instance.rocksdb_free(error);
            }
        }

        if (firstError is not null)
        {
            throw new RocksDbSharpException(firstError);
        }

        var values = new byte[]?[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            values[i] = pairs[i].Value;
        }

        return values;
    }
}
