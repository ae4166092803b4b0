using Pegasus.Protocol;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Meta;

namespace Pegasus.Client.Routing;

/// <summary>An immutable snapshot of one table's routing: its id and each partition's primary.</summary>
internal sealed class TableRouting
{
    private readonly string?[] _primaries;

    public TableRouting(string tableName, int appId, int partitionCount, IEnumerable<PartitionConfiguration> partitions)
    {
        if (!PartitionResolver.IsValidPartitionCount(partitionCount))
        {
            throw new PegasusException(ErrorCode.InvalidState, $"meta returned partition count {partitionCount} for table {tableName}", isTransient: true);
        }

        TableName = tableName;
        AppId = appId;
        PartitionCount = partitionCount;
        _primaries = new string?[partitionCount];

        // Indexed by partition_index: the meta may list partitions in any order, or leave some out.
        foreach (var partition in partitions)
        {
            if (partition.PartitionIndex >= 0 && partition.PartitionIndex < partitionCount)
            {
                _primaries[partition.PartitionIndex] = string.IsNullOrWhiteSpace(partition.Primary) ? null : partition.Primary;
            }
        }
    }

    public string TableName { get; }

    public int AppId { get; }

    public int PartitionCount { get; }

    public int PrimaryCount => _primaries.Count(p => p is not null);

    public static TableRouting FromResponse(string tableName, QueryConfigResponse response)
        => new(tableName, response.AppId, response.PartitionCount, response.Partitions);

    /// <summary>The partition a key hash (or an explicit partition index) maps to.</summary>
    public int PartitionIndexOf(ulong partitionHash) => (int)(partitionHash % (ulong)PartitionCount);

    /// <summary>The primary's address, or null while the partition has none.</summary>
    public string? PrimaryOf(int partitionIndex) => _primaries[partitionIndex];
}
