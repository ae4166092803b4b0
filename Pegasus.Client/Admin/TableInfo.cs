using System.Text.Json.Serialization;

namespace Pegasus.Client;

/// <summary>A table as the meta server's admin API describes it.</summary>
public sealed record TableInfo
{
    /// <summary>Gets the table's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Gets the table's id in the cluster.</summary>
    public int AppId { get; init; }

    /// <summary>Gets the number of partitions (a power of two).</summary>
    public int PartitionCount { get; init; }

    /// <summary>Gets the number of replicas of each partition.</summary>
    public int ReplicaCount { get; init; }

    /// <summary>Gets the table's status as the meta server names it (for example <c>Available</c>).</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string Status { get; init; } = "";

    /// <summary>Gets the table's app envs.</summary>
    public IReadOnlyDictionary<string, string> Envs { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets when the table was created.</summary>
    [JsonConverter(typeof(LenientDateTimeOffsetConverter))]
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Gets when the table was dropped; null while it is available.</summary>
    [JsonConverter(typeof(LenientDateTimeOffsetConverter))]
    public DateTimeOffset? DroppedAt { get; init; }

    /// <summary>Gets each partition's configuration; empty when the call does not return them (listing tables).</summary>
    /// <remarks>A listing may send <c>"partitions": null</c>; callers always get a list.</remarks>
    public IReadOnlyList<PartitionInfo> Partitions { get; init => field = value ?? []; } = [];

    /// <summary>Gets a value indicating whether every partition is listed with a primary.</summary>
    public bool AllPartitionsHavePrimary
        => PartitionCount > 0 && Partitions.Count == PartitionCount && Partitions.All(p => !string.IsNullOrEmpty(p.Primary));

    /// <summary>
    /// Gets a value indicating whether every partition is listed with a primary and a full set of secondaries
    /// (<see cref="ReplicaCount"/> - 1).
    /// </summary>
    public bool IsHealthy
        => AllPartitionsHavePrimary && Partitions.All(p => p.Secondaries.Count >= ReplicaCount - 1);
}
