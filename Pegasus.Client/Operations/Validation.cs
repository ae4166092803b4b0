using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Keys;

namespace Pegasus.Client;

/// <summary>Argument checks done before anything is sent, failing with Pegasus's typed errors.</summary>
internal static class Validation
{
    /// <summary>Any hash key, empty included (single-key operations hash the sort key then).</summary>
    public static void HashKey(byte[] hashKey, string operation)
    {
        ArgumentNullException.ThrowIfNull(hashKey);
        if (!KeyLimits.IsValidHashKeyLength(hashKey.Length))
        {
            throw new PegasusException(
                ErrorCode.InvalidHashKey, $"{operation}: hash key length {hashKey.Length} exceeds {KeyLimits.MaxHashKeyLength} bytes");
        }
    }

    /// <summary>Operations on one hash key's sort keys need a hash key (Pegasus's PERR_INVALID_HASH_KEY).</summary>
    public static void NonEmptyHashKey(byte[] hashKey, string operation)
    {
        HashKey(hashKey, operation);
        if (hashKey.Length == 0)
        {
            throw new PegasusException(ErrorCode.InvalidHashKey, $"{operation}: the hash key must not be empty");
        }
    }

    public static void Ttl(int ttlSeconds, string operation)
    {
        if (ttlSeconds < 0)
        {
            throw new PegasusException(ErrorCode.InvalidArgument, $"{operation}: ttl seconds must be >= 0 (0 = no TTL), not {ttlSeconds}");
        }
    }

    /// <summary>A list that must not be empty: <see cref="ErrorCode.InvalidArgument"/> (mutations, batch-get keys).</summary>
    public static void NotEmpty(int count, string what, string operation)
    {
        if (count == 0)
        {
            throw new PegasusException(ErrorCode.InvalidArgument, $"{operation}: {what} must not be empty");
        }
    }

    /// <summary>
    /// The records of a multi-set or the sort keys of a multi-delete: Pegasus's clients answer an empty list with
    /// PERR_INVALID_VALUE, and the server answers the same.
    /// </summary>
    public static void NotEmptyValues(int count, string what, string operation)
    {
        if (count == 0)
        {
            throw new PegasusException(ErrorCode.InvalidValue, $"{operation}: {what} must not be empty");
        }
    }

    /// <summary>
    /// The size checks of a request about to be sent: a write larger than <paramref name="maxAllowedWriteSize"/>
    /// (Pegasus's <c>max_allowed_write_size</c>; 0 = unchecked), and any request too large for one data stream
    /// message (sending it would break the stream every other request in flight shares).
    /// </summary>
    public static void RequestSize(DataRequest request, int maxAllowedWriteSize, string operation)
    {
        if (maxAllowedWriteSize > 0 && DataStreamLimits.WriteSize(request) is var writeSize && writeSize > maxAllowedWriteSize)
        {
            throw new PegasusException(
                ErrorCode.InvalidArgument,
                $"{operation}: the write is {writeSize} bytes, over the write size limit of {maxAllowedWriteSize} bytes (PegasusClientOptions.MaxAllowedWriteSize, Pegasus's max_allowed_write_size)");
        }

        var size = request.CalculateSize();
        if (size > DataStreamLimits.MaxRequestBytes)
        {
            throw new PegasusException(
                ErrorCode.InvalidArgument,
                $"{operation}: the request is {size} bytes, over the {DataStreamLimits.MaxRequestBytes}-byte limit of one data stream message; split it");
        }
    }


    public static void CheckType(Protocol.Data.CheckType checkType, string operation)
    {
        if (!Enum.IsDefined(checkType))
        {
            throw new PegasusException(ErrorCode.InvalidArgument, $"{operation}: unknown check type {(int)checkType}");
        }
    }

    public static void FilterType(Protocol.Data.FilterType filterType, string operation)
    {
        if (!Enum.IsDefined(filterType))
        {
            throw new PegasusException(ErrorCode.InvalidArgument, $"{operation}: unknown filter type {(int)filterType}");
        }
    }
}
