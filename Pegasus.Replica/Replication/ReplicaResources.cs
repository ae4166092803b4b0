using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Storage;

namespace Pegasus.Replica.Replication;

/// <summary>What every partition replica on a node is opened with.</summary>
/// <param name="Storage">The store settings.</param>
/// <param name="Pipeline">The write pipeline settings.</param>
/// <param name="TimeProvider">The clock for TTLs and sweeps.</param>
/// <param name="Instruments">Metrics, or null.</param>
/// <param name="LoggerFactory">Creates the replicas' loggers.</param>
public sealed record ReplicaResources(
    StorageOptions Storage,
    WritePipelineSettings Pipeline,
    TimeProvider TimeProvider,
    ReplicaInstruments? Instruments,
    ILoggerFactory LoggerFactory);
