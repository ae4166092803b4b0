using Google.Protobuf;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Keys;

namespace Pegasus.Replica.Storage;

public sealed partial class PartitionStore
{
    /// <summary>
    /// Checks what can be checked without reading data: key lengths, that the keys belong to
    /// this partition, required fields, supported filter, check and mutate types. Fills
    /// <paramref name="response"/> and returns false when the request is invalid. A primary can
    /// call this before giving a write a decree; <see cref="ApplyWrite"/> runs it again anyway.
    /// </summary>
    public bool Validate(DataRequest request, DataResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        FillHeader(response);
        return request.OpCase switch
        {
            DataRequest.OpOneofCase.Set => CheckKey(request.Set.HashKey, request.Set.SortKey, response),
            DataRequest.OpOneofCase.Delete => CheckKey(request.Delete.HashKey, request.Delete.SortKey, response),
            DataRequest.OpOneofCase.Incr => CheckKey(request.Incr.HashKey, request.Incr.SortKey, response),
            DataRequest.OpOneofCase.MultiSet => ValidateMultiSet(request.MultiSet, response),
            DataRequest.OpOneofCase.MultiDelete => ValidateMultiDelete(request.MultiDelete, response),
            DataRequest.OpOneofCase.CheckAndSet => ValidateCheckAndSet(request.CheckAndSet, response),
            DataRequest.OpOneofCase.CheckAndMutate => ValidateCheckAndMutate(request.CheckAndMutate, response),
            DataRequest.OpOneofCase.Get => CheckKey(request.Get.HashKey, request.Get.SortKey, response),
            DataRequest.OpOneofCase.Exist => CheckKey(request.Exist.HashKey, request.Exist.SortKey, response),
            DataRequest.OpOneofCase.Ttl => CheckKey(request.Ttl.HashKey, request.Ttl.SortKey, response),
            DataRequest.OpOneofCase.MultiGet => ValidateMultiGet(request.MultiGet, response),
            DataRequest.OpOneofCase.SortKeyCount => CheckHashKey(request.SortKeyCount.HashKey, response),
            DataRequest.OpOneofCase.BatchGet => ValidateBatchGet(request.BatchGet, response),
            DataRequest.OpOneofCase.GetScanner => ValidateGetScanner(request.GetScanner, response),
            DataRequest.OpOneofCase.Scan or DataRequest.OpOneofCase.ClearScanner => true,
            _ => Invalid(response, ErrorCode.InvalidArgument, "the request carries no operation"),
        };
    }

    private static bool Invalid(DataResponse response, ErrorCode error, string message)
    {
        Fail(response, error, message);
        return false;
    }

    /// <summary>A single-record key: hash key length, and the partition of (hash key, sort key).</summary>
    private bool CheckKey(ByteString hashKey, ByteString sortKey, DataResponse response)
    {
        if (!KeyLimits.IsValidHashKeyLength(hashKey.Length))
        {
            return Invalid(response, ErrorCode.InvalidHashKey,
                $"hash key length {hashKey.Length} exceeds {KeyLimits.MaxHashKeyLength}");
        }

        var partition = PartitionResolver.PartitionIndex(hashKey.Span, sortKey.Span, PartitionCount);
        return partition == PartitionIndex || Invalid(response, ErrorCode.PartitionMismatch,
            $"the key belongs to partition {partition}, not to partition {PartitionIndex} of app {AppId} ({PartitionCount} partitions)");
    }

    /// <summary>
    /// The hash key of a multi-record operation: it must not be empty (Pegasus's clients refuse
    /// that, since such records are spread over partitions by sort key), and it picks the partition.
    /// Answered with the client's codes (INVALID_HASH_KEY, and INVALID_VALUE for empty lists below)
    /// rather than Pegasus's server's kInvalidArgument, so a request that skips the client gets the
    /// answer the client would have given.
    /// </summary>
    private bool CheckHashKey(ByteString hashKey, DataResponse response)
        => hashKey.IsEmpty
            ? Invalid(response, ErrorCode.InvalidHashKey, "the hash key must not be empty for this operation")
            : CheckKey(hashKey, ByteString.Empty, response);

    private bool ValidateMultiSet(MultiSetRequest request, DataResponse response)
        => CheckHashKey(request.HashKey, response)
           && (request.Kvs.Count > 0 || Invalid(response, ErrorCode.InvalidValue, "multi_set needs at least one key-value"));

    private bool ValidateMultiDelete(MultiDeleteRequest request, DataResponse response)
        => CheckHashKey(request.HashKey, response)
           && (request.SortKeys.Count > 0 || Invalid(response, ErrorCode.InvalidValue, "multi_delete needs at least one sort key"));

    private bool ValidateCheckAndSet(CheckAndSetRequest request, DataResponse response)
        => CheckHashKey(request.HashKey, response) && CheckCheckType(request.CheckType, response);

    private bool ValidateCheckAndMutate(CheckAndMutateRequest request, DataResponse response)
    {
        if (!CheckHashKey(request.HashKey, response))
        {
            return false;
        }

        // Pegasus checks the mutations before the check type.
        if (request.MutateList.Count == 0)
        {
            return Invalid(response, ErrorCode.InvalidArgument, "check_and_mutate needs at least one mutation");
        }

        for (var i = 0; i < request.MutateList.Count; i++)
        {
            var operation = request.MutateList[i].Operation;
            if (operation is not (MutateOperation.Put or MutateOperation.Delete))
            {
                return Invalid(response, ErrorCode.InvalidArgument, $"mutation {i} has the unknown operation {(int)operation}");
            }
        }

        return CheckCheckType(request.CheckType, response);
    }

    private static bool CheckCheckType(CheckType type, DataResponse response)
        => CheckConditions.IsSupported(type)
           || Invalid(response, ErrorCode.InvalidArgument, $"check type {(int)type} is not supported");

    private static bool CheckFilterType(FilterType type, string what, DataResponse response)
        => KeyFilter.IsSupported(type)
           || Invalid(response, ErrorCode.InvalidArgument, $"{what} filter type {(int)type} is not supported");

    private bool ValidateMultiGet(MultiGetRequest request, DataResponse response)
        => CheckHashKey(request.HashKey, response)
           && CheckFilterType(request.SortKeyFilterType, "sort key", response);

    private bool ValidateBatchGet(BatchGetRequest request, DataResponse response)
    {
        if (request.Keys.Count == 0)
        {
            return Invalid(response, ErrorCode.InvalidArgument, "batch_get needs at least one key");
        }

        foreach (var key in request.Keys)
        {
            if (!CheckKey(key.HashKey, key.SortKey, response))
            {
                return false;
            }
        }

        return true;
    }

    private bool ValidateGetScanner(GetScannerRequest request, DataResponse response)
    {
        if (!CheckFilterType(request.HashKeyFilterType, "hash key", response)
            || !CheckFilterType(request.SortKeyFilterType, "sort key", response))
        {
            return false;
        }

        if (request.FullScan)
        {
            // The hash key of a full scan is only where a resumed scan restarts.
            return KeyLimits.IsValidHashKeyLength(request.HashKey.Length)
                   || Invalid(response, ErrorCode.InvalidHashKey,
                       $"hash key length {request.HashKey.Length} exceeds {KeyLimits.MaxHashKeyLength}");
        }

        return CheckHashKey(request.HashKey, response);
    }
}
