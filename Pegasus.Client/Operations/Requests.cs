using Google.Protobuf;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Time;

namespace Pegasus.Client;

/// <summary>
/// Builds the wire requests of every operation (arguments already validated). TTLs become absolute expire
/// times here, from the <c>now</c> the caller read off its <see cref="TimeProvider"/>.
/// </summary>
internal static class Requests
{
    // The caller promises not to change its arrays until the call completes, so they are wrapped, not copied.
    public static ByteString Bytes(byte[]? bytes) => bytes is null || bytes.Length == 0 ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(bytes);

    /// <summary>Partition hash of a single record: the hash key's, or the sort key's when the hash key is empty.</summary>
    public static ulong KeyHash(byte[] hashKey, byte[] sortKey) => PartitionResolver.KeyHash(hashKey, sortKey);

    /// <summary>Partition hash of operations on one (non-empty) hash key.</summary>
    public static ulong HashKeyHash(byte[] hashKey) => PartitionResolver.KeyHash(hashKey, []);

    public static uint ExpireTime(DateTimeOffset now, int ttlSeconds) => PegasusEpoch.ExpireTimeFromTtl(now, ttlSeconds);

    /// <summary>Incr's expire field: 0 keeps the record's TTL, -1 clears it, a positive TTL sets it.</summary>
    public static int IncrExpireTime(DateTimeOffset now, int ttlSeconds)
        => ttlSeconds <= 0 ? ttlSeconds : (int)Math.Min(PegasusEpoch.ExpireTimeFromTtl(now, ttlSeconds), int.MaxValue);

    public static DataRequest Set(byte[] hashKey, byte[] sortKey, byte[] value, int ttlSeconds, DateTimeOffset now) => new()
    {
        Set = new SetRequest
        {
            HashKey = Bytes(hashKey),
            SortKey = Bytes(sortKey),
            Value = Bytes(value),
            ExpireTsSeconds = ExpireTime(now, ttlSeconds),
        },
    };

    public static DataRequest Get(byte[] hashKey, byte[] sortKey)
        => new() { Get = new GetRequest { HashKey = Bytes(hashKey), SortKey = Bytes(sortKey) } };

    public static DataRequest Delete(byte[] hashKey, byte[] sortKey)
        => new() { Delete = new DeleteRequest { HashKey = Bytes(hashKey), SortKey = Bytes(sortKey) } };

    public static DataRequest Exist(byte[] hashKey, byte[] sortKey)
        => new() { Exist = new ExistRequest { HashKey = Bytes(hashKey), SortKey = Bytes(sortKey) } };

    public static DataRequest Ttl(byte[] hashKey, byte[] sortKey)
        => new() { Ttl = new TtlRequest { HashKey = Bytes(hashKey), SortKey = Bytes(sortKey) } };

    public static DataRequest Incr(byte[] hashKey, byte[] sortKey, long increment, int ttlSeconds, DateTimeOffset now) => new()
    {
        Incr = new IncrRequest
        {
            HashKey = Bytes(hashKey),
            SortKey = Bytes(sortKey),
            Increment = increment,
            ExpireTsSeconds = IncrExpireTime(now, ttlSeconds),
        },
    };

    public static DataRequest MultiSet(byte[] hashKey, IReadOnlyList<(byte[] SortKey, byte[] Value)> values, int ttlSeconds, DateTimeOffset now)
    {
        var expire = ExpireTime(now, ttlSeconds);
        var request = new MultiSetRequest { HashKey = Bytes(hashKey), ExpireTsSeconds = expire };
        foreach (var (sortKey, value) in values)
        {
            // Per record too, so a server reading either field applies the same TTL.
            request.Kvs.Add(new KeyValue { SortKey = Bytes(sortKey), Value = Bytes(value), ExpireTsSeconds = expire });
        }

        return new DataRequest { MultiSet = request };
    }

    public static DataRequest MultiGetByKeys(byte[] hashKey, IReadOnlyList<byte[]> sortKeys, MultiGetOptions options)
    {
        var request = NewMultiGet(hashKey, options);
        foreach (var sortKey in sortKeys)
        {
            request.SortKeys.Add(Bytes(sortKey));
        }

        return new DataRequest { MultiGet = request };
    }

    public static DataRequest MultiGetRange(byte[] hashKey, byte[] startSortKey, byte[] stopSortKey, MultiGetOptions options)
    {
        var request = NewMultiGet(hashKey, options);
        request.StartSortKey = Bytes(startSortKey);
        request.StopSortKey = Bytes(stopSortKey);
        request.StartInclusive = options.StartInclusive;
        request.StopInclusive = options.StopInclusive;
        request.SortKeyFilterType = options.SortKeyFilterType;
        request.SortKeyFilterPattern = Bytes(options.SortKeyFilterPattern);
        return new DataRequest { MultiGet = request };
    }

    public static DataRequest MultiDelete(byte[] hashKey, IReadOnlyList<byte[]> sortKeys)
    {
        var request = new MultiDeleteRequest { HashKey = Bytes(hashKey) };
        foreach (var sortKey in sortKeys)
        {
            request.SortKeys.Add(Bytes(sortKey));
        }

        return new DataRequest { MultiDelete = request };
    }

    public static DataRequest SortKeyCount(byte[] hashKey)
        => new() { SortKeyCount = new SortKeyCountRequest { HashKey = Bytes(hashKey) } };

    public static DataRequest CheckAndSet(
        byte[] hashKey, byte[] checkSortKey, CheckType checkType, byte[] checkOperand, byte[] setSortKey, byte[] setValue, CheckAndSetOptions options, DateTimeOffset now)
    {
        var request = new CheckAndSetRequest
        {
            HashKey = Bytes(hashKey),
            CheckSortKey = Bytes(checkSortKey),
            CheckType = checkType,
            CheckOperand = Bytes(checkOperand),
            SetValue = Bytes(setValue),
            SetExpireTsSeconds = ExpireTime(now, options.SetValueTtlSeconds),
            ReturnCheckValue = options.ReturnCheckValue,
        };

        // Like Pegasus: the set sort key travels only when it differs from the checked one.
        if (!checkSortKey.AsSpan().SequenceEqual(setSortKey))
        {
            request.SetDiffSortKey = true;
            request.SetSortKey = Bytes(setSortKey);
        }

        return new DataRequest { CheckAndSet = request };
    }

    public static DataRequest CheckAndMutate(
        byte[] hashKey, byte[] checkSortKey, CheckType checkType, byte[] checkOperand, Mutations mutations, CheckAndMutateOptions options, DateTimeOffset now)
    {
        var request = new CheckAndMutateRequest
        {
            HashKey = Bytes(hashKey),
            CheckSortKey = Bytes(checkSortKey),
            CheckType = checkType,
            CheckOperand = Bytes(checkOperand),
            ReturnCheckValue = options.ReturnCheckValue,
        };
        foreach (var mutation in mutations.Items)
        {
            request.MutateList.Add(new Mutate
            {
                Operation = mutation.Operation,
                SortKey = Bytes(mutation.SortKey),
                Value = Bytes(mutation.Value),
                SetExpireTsSeconds = mutation.Operation == MutateOperation.Put ? ExpireTime(now, mutation.TtlSeconds) : 0,
            });
        }

        return new DataRequest { CheckAndMutate = request };
    }

    public static DataRequest BatchGet(IEnumerable<(byte[] HashKey, byte[] SortKey)> keys)
    {
        var request = new BatchGetRequest();
        foreach (var (hashKey, sortKey) in keys)
        {
            request.Keys.Add(new FullKey { HashKey = Bytes(hashKey), SortKey = Bytes(sortKey) });
        }

        return new DataRequest { BatchGet = request };
    }

    /// <summary>Groups key positions by the partition each key maps to, keeping input order within a group.</summary>
    public static Dictionary<int, List<int>> SplitByPartition(IReadOnlyList<(byte[] HashKey, byte[] SortKey)> keys, int partitionCount)
    {
        var groups = new Dictionary<int, List<int>>();
        for (var i = 0; i < keys.Count; i++)
        {
            var partition = PartitionResolver.PartitionIndex(keys[i].HashKey, keys[i].SortKey, partitionCount);
            if (!groups.TryGetValue(partition, out var group))
            {
                groups[partition] = group = [];
            }

            group.Add(i);
        }

        return groups;
    }

    public static DataRequest Scan(long contextId) => new() { Scan = new ScanRequest { ContextId = contextId } };

    public static DataRequest ClearScanner(long contextId) => new() { ClearScanner = new ClearScannerRequest { ContextId = contextId } };

    private static MultiGetRequest NewMultiGet(byte[] hashKey, MultiGetOptions options) => new()
    {
        HashKey = Bytes(hashKey),
        MaxKvCount = options.MaxCount,
        MaxKvSize = options.MaxSize,
        NoValue = options.NoValue,
        Reverse = options.Reverse,
        StartInclusive = true,
    };
}
