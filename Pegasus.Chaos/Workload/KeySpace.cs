using System.Text;
using Pegasus.Protocol.Hashing;

namespace Pegasus.Chaos.Workload;

/// <summary>One key of the workload.</summary>
/// <param name="Name">The history's key text, <c>hashKey/sortKey</c>.</param>
/// <param name="HashKey">The hash key's bytes.</param>
/// <param name="SortKey">The sort key's bytes.</param>
/// <param name="Partition">The partition it maps to.</param>
/// <param name="IsCounter">A counter (get/incr) rather than a register (get/set/del/cas).</param>
public sealed record ChaosKey(string Name, byte[] HashKey, byte[] SortKey, int Partition, bool IsCounter);

/// <summary>
/// The workload's bounded key set: register keys (get/set/del/cas) and counter keys (get/incr), the same number in
/// every partition, so every partition sees traffic and every fault shows up in some keys' histories.
/// </summary>
public sealed class KeySpace
{
    private const string RegisterSortKey = "v";
    private const string CounterSortKey = "n";

    private KeySpace(int partitionCount, IReadOnlyList<ChaosKey> registers, IReadOnlyList<ChaosKey> counters)
    {
        PartitionCount = partitionCount;
        Registers = registers;
        Counters = counters;
        All = [.. registers, .. counters];
    }

    /// <summary>Gets the table's partition count.</summary>
    public int PartitionCount { get; }

    /// <summary>Gets the register keys.</summary>
    public IReadOnlyList<ChaosKey> Registers { get; }

    /// <summary>Gets the counter keys.</summary>
    public IReadOnlyList<ChaosKey> Counters { get; }

    /// <summary>Gets every key, registers first.</summary>
    public IReadOnlyList<ChaosKey> All { get; }

    /// <summary>Picks hash keys <c>r0, r1, ...</c> and <c>c0, c1, ...</c> until each partition holds its share of each group.</summary>
    /// <param name="partitionCount">The table's partition count.</param>
    /// <param name="registersPerPartition">Register keys per partition.</param>
    /// <param name="countersPerPartition">Counter keys per partition.</param>
    /// <returns>The keys; the same for the same arguments.</returns>
    public static KeySpace Create(int partitionCount, int registersPerPartition, int countersPerPartition)
        => new(
            partitionCount,
            Pick("r", RegisterSortKey, partitionCount, registersPerPartition, isCounter: false),
            Pick("c", CounterSortKey, partitionCount, countersPerPartition, isCounter: true));

    /// <summary>The partition of a history key (<c>hashKey/sortKey</c>, split at the first <c>/</c>).</summary>
    /// <param name="key">The key text.</param>
    /// <param name="partitionCount">The table's partition count.</param>
    /// <returns>The partition index.</returns>
    public static int PartitionOf(string key, int partitionCount)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (hashKey, sortKey) = slash < 0 ? (key, "") : (key[..slash], key[(slash + 1)..]);
        return PartitionResolver.PartitionIndex(Encoding.UTF8.GetBytes(hashKey), Encoding.UTF8.GetBytes(sortKey), partitionCount);
    }

    private static List<ChaosKey> Pick(string prefix, string sortKey, int partitionCount, int perPartition, bool isCounter)
    {
        var keys = new List<ChaosKey>(partitionCount * perPartition);
        var filled = new int[partitionCount];
        for (var n = 0; keys.Count < partitionCount * perPartition; n++)
        {
            var hashKey = prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var hashBytes = Encoding.UTF8.GetBytes(hashKey);
            var partition = PartitionResolver.PartitionIndex(hashBytes, [], partitionCount);
            if (filled[partition] < perPartition)
            {
                filled[partition]++;
                keys.Add(new ChaosKey($"{hashKey}/{sortKey}", hashBytes, Encoding.UTF8.GetBytes(sortKey), partition, isCounter));
            }
        }

        return keys;
    }
}
