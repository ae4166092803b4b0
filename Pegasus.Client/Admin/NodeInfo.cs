using System.Text.Json.Serialization;

namespace Pegasus.Client;

/// <summary>A replica server as the meta server's admin API describes it.</summary>
public sealed record NodeInfo
{
    /// <summary>Gets the node's data address (its identity).</summary>
    public string Address { get; init; } = "";

    /// <summary>Gets a value indicating whether the meta leader considers the node alive.</summary>
    public bool Alive { get; init; }

    /// <summary>Gets when the meta leader last received a beacon from the node, if ever.</summary>
    [JsonConverter(typeof(LenientDateTimeOffsetConverter))]
    public DateTimeOffset? LastBeaconAt { get; init; }

    /// <summary>Gets how many replicas the node hosts.</summary>
    public int ReplicaCount { get; init; }
}
