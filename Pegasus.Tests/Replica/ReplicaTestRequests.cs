using Google.Protobuf;
using Pegasus.Protocol.Data;

namespace Pegasus.Tests.Replica;

/// <summary>Builders of raw data requests for the replica server tests.</summary>
internal static class ReplicaTestRequests
{
    public static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    public static DataRequest Set(string hashKey, string sortKey, string value, uint expireTs = 0, int appId = 0, int partitionIndex = 0) => new()
    {
        AppId = appId,
        PartitionIndex = partitionIndex,
        Set = new SetRequest { HashKey = B(hashKey), SortKey = B(sortKey), Value = B(value), ExpireTsSeconds = expireTs },
    };

    public static DataRequest Get(string hashKey, string sortKey, int appId = 0, int partitionIndex = 0) => new()
    {
        AppId = appId,
        PartitionIndex = partitionIndex,
        Get = new GetRequest { HashKey = B(hashKey), SortKey = B(sortKey) },
    };

    public static DataRequest Incr(string hashKey, string sortKey, long increment, int appId = 0, int partitionIndex = 0) => new()
    {
        AppId = appId,
        PartitionIndex = partitionIndex,
        Incr = new IncrRequest { HashKey = B(hashKey), SortKey = B(sortKey), Increment = increment },
    };
}
