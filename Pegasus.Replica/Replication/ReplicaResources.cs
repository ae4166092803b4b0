using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Replication.Peers;
using Pegasus.Replica.Storage;

namespace Pegasus.Replica.Replication;

/// <summary>What every replica of a node is opened with.</summary>
/// <param name="Storage">The store options.</param>
/// <param name="Pipeline">The write pipeline's settings.</param>
/// <param name="TimeProvider">The clock.</param>
/// <param name="Instruments">Metrics, or null.</param>
/// <param name="LoggerFactory">Creates loggers.</param>
public sealed record ReplicaResources(
    StorageOptions Storage,
    WritePipelineSettings Pipeline,
    TimeProvider TimeProvider,
    ReplicaInstruments? Instruments,
    ILoggerFactory LoggerFactory)
{
    /// <summary>Gets this node's data address.</summary>
    public string Self { get; init; } = "";

    /// <summary>Gets the node's data directory (checkpoints and learning copies live beside the replicas).</summary>
    public string DataDirectory { get; init; } = "";

    /// <summary>Gets the streams to peer replica servers.</summary>
    public PeerStreamPool Peers { get; init; } = PeerStreamPool.None;

    /// <summary>Gets what asks the meta leader for this node's configurations at once (a newer ballot was seen).</summary>
    public Action RequestConfigurationRefresh { get; init; } = static () => { };

    /// <summary>Gets the channel for configuration proposals to the meta leader.</summary>
    public IConfigurationProposer Proposals { get; init; } = NoProposals.Instance;
}
