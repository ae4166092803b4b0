namespace Pegasus.Meta.State;

/// <summary>
/// The argument checks every <see cref="IMetaStateStore"/> makes before a write, in one place so the
/// embedded and ZooKeeper stores reject exactly the same calls (the conformance tests hold both to it).
/// </summary>
internal static class StateStoreWriteChecks
{
    /// <summary>Checks a <see cref="IMetaStateStore.CreateTableAsync"/> call's arguments.</summary>
    /// <param name="nextAppId">The next-app-id counter as read.</param>
    /// <param name="table">The new table; its id must be the counter's value.</param>
    /// <param name="partitions">Its partitions; indexes 0..PartitionCount-1 in order.</param>
    /// <exception cref="ArgumentException">The table or partitions do not match.</exception>
    public static void CreateTable(
        Versioned<int> nextAppId,
        TableRecord table,
        IReadOnlyList<PartitionConfigurationRecord> partitions)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(partitions);
        if (table.AppId != nextAppId.Value)
        {
            throw new ArgumentException($"Table id {table.AppId} is not the next app id {nextAppId.Value}.", nameof(table));
        }

        if (partitions.Count != table.PartitionCount || partitions.Where((p, i) => p.PartitionIndex != i).Any())
        {
            throw new ArgumentException("Partitions must be indexes 0..PartitionCount-1 in order.", nameof(partitions));
        }
    }

    /// <summary>Checks a <see cref="IMetaStateStore.UpdatePartitionAsync"/> call's arguments.</summary>
    /// <param name="current">The partition as read.</param>
    /// <param name="updated">Its new configuration, for the same partition index.</param>
    /// <returns>False when the update does not raise the ballot, which the store answers with
    /// <see cref="StoreWriteStatus.StaleBallot"/> without writing.</returns>
    /// <exception cref="ArgumentException">The update changes the partition index.</exception>
    public static bool UpdatePartition(Versioned<PartitionConfigurationRecord> current, PartitionConfigurationRecord updated)
    {
        ArgumentNullException.ThrowIfNull(current.Value);
        ArgumentNullException.ThrowIfNull(updated);
        if (updated.PartitionIndex != current.Value.PartitionIndex)
        {
            throw new ArgumentException("A partition update cannot change the partition index.", nameof(updated));
        }

        // The ballot only goes up (PacificA invariant 1); checked against what the caller read, which the version pins.
        return updated.Ballot > current.Value.Ballot;
    }
}
