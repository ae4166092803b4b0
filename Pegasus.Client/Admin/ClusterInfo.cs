using System.Text.Json.Serialization;

namespace Pegasus.Client;

/// <summary>The cluster as the answering meta server sees it.</summary>
public sealed record ClusterInfo
{
    /// <summary>Gets a value indicating whether the answering meta server is the leader.</summary>
    public bool IsLeader { get; init; }

    /// <summary>Gets the leader's gRPC address, if known.</summary>
    public string? LeaderGrpcAddress { get; init; }

    /// <summary>Gets the leader's HTTP admin address, if known.</summary>
    public string? LeaderHttpAddress { get; init; }

    /// <summary>Gets the meta state store in use (<c>Embedded</c> or <c>ZooKeeper</c>).</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string StateStore { get; init; } = "";
}
