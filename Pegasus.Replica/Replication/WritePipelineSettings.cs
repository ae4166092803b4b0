using Pegasus.Replica.Replication.Log;

namespace Pegasus.Replica.Replication;

/// <summary>How one replica's <see cref="ReplicaWritePipeline"/> queues, batches and sweeps.</summary>
/// <param name="QueueCapacity">Writes that may wait in the queue before submitters wait.</param>
/// <param name="MaxBatchSize">The most writes one loop iteration takes off the queue.</param>
/// <param name="ExpiredSweepInterval">How often the loop takes a step sweeping expired records.</param>
/// <param name="ExpiredSweepBatchSize">Records one sweep step may examine before turning back to writes.</param>
public readonly record struct WritePipelineSettings(
    int QueueCapacity,
    int MaxBatchSize,
    TimeSpan ExpiredSweepInterval,
    int ExpiredSweepBatchSize)
{
    /// <summary>Gets how long a primary waits for a secondary's prepare acknowledgement before reporting it.</summary>
    public TimeSpan PrepareTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets how the mutation log flushes.</summary>
    public LogFlushMode LogFlushMode { get; init; } = LogFlushMode.Interval;

    /// <summary>Gets how often the mutation log fsyncs in interval mode.</summary>
    public TimeSpan LogFsyncInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets how many decrees the log keeps behind the applied point.</summary>
    public long LogRetainedDecrees { get; init; } = 50_000;

    /// <summary>Gets how long the answers of a client session that writes nothing more are remembered.</summary>
    public TimeSpan WriteSessionLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets settings matching the <c>Replica</c> options' defaults.</summary>
    public static WritePipelineSettings Default { get; } = new(4096, 256, TimeSpan.FromSeconds(10), 1000);
}
