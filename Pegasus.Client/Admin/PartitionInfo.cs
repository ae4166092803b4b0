namespace Pegasus.Client;

/// <summary>One partition's configuration as the meta server's admin API describes it.</summary>
public sealed record PartitionInfo
{
    /// <summary>Gets the partition's index.</summary>
    public int PartitionIndex { get; init; }

    /// <summary>Gets the configuration's ballot (starts at 1; increases with every reconfiguration).</summary>
    public long Ballot { get; init; }

    /// <summary>Gets the primary's address, or null/empty when the partition has none.</summary>
    public string? Primary { get; init; }

    /// <summary>Gets the secondaries' addresses.</summary>
    public IReadOnlyList<string> Secondaries { get; init => field = value ?? []; } = [];

    /// <summary>Gets how many replicas the partition should have.</summary>
    public int MaxReplicaCount { get; init; }
}
