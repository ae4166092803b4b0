using Pegasus.Protocol.Data;

using Pegasus.Replica.Replication.Log;

namespace Pegasus.Replica.Hosting;

/// <summary>
/// Replica server settings, bound from the <c>Replica</c> configuration section.
/// </summary>
public sealed class ReplicaOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Replica";

    /// <summary>
    /// Gets or sets the root directory of this node's data; each replica lives in
    /// <c>&lt;DataDirectory&gt;/&lt;appId&gt;.&lt;partitionIndex&gt;/</c>, dropped data moves to <c>.gar/</c>.
    /// </summary>
    /// <value>Required.</value>
    public string DataDirectory { get; set; } = "";

    /// <summary>
    /// Gets or sets the meta servers' gRPC addresses, comma-separated
    /// (e.g. <c>http://127.0.0.1:35601,http://127.0.0.1:35602</c>).
    /// </summary>
    /// <value>Required.</value>
    public string MetaServers { get; set; } = "";

    /// <summary>
    /// Gets or sets the address clients and peers reach this node's gRPC port at; it is the node's
    /// identity in the cluster.
    /// </summary>
    /// <value>Defaults to <c>http://127.0.0.1:&lt;Ports:Grpc&gt;</c>.</value>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>Gets or sets how often the node beacons the meta leader.</summary>
    /// <value>Defaults to one second.</value>
    public TimeSpan BeaconInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the deadline of one beacon call to one meta server.</summary>
    /// <value>Defaults to two seconds.</value>
    public TimeSpan BeaconTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets how long the node keeps serving after the send time of its last successful
    /// beacon. It must stay below the meta server's grace period (<c>Meta:ReplicaGracePeriod</c>,
    /// ten seconds by default) so this node stops serving before the meta declares it dead and
    /// hands its partitions to someone else; a shorter lease granted by the meta wins.
    /// </summary>
    /// <value>Defaults to eight seconds.</value>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Gets or sets how often each replica takes a sweep step over its store, removing expired
    /// records; a step that removed some is followed by another right after the queued writes.
    /// </summary>
    /// <value>Defaults to ten seconds.</value>
    public TimeSpan ExpiredSweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how many records one sweep step examines before the writer loop turns back to writes.
    /// </summary>
    /// <value>Defaults to 1000.</value>
    public int ExpiredSweepBatchSize { get; set; } = 1000;

    /// <summary>Gets or sets how many writes may wait in one replica's queue before submitters wait.</summary>
    /// <value>Defaults to 4096.</value>
    public int WriteQueueCapacity { get; set; } = 4096;

    /// <summary>Gets or sets the most writes one writer-loop iteration takes off the queue.</summary>
    /// <value>Defaults to 256.</value>
    public int MaxWriteBatchSize { get; set; } = 256;

    /// <summary>
    /// Gets or sets the largest write a client may send, in bytes of its serialized write operation (keys,
    /// values, TTLs; without the routing and trace header), as Apache Pegasus's <c>max_allowed_write_size</c>
    /// measures a write's body. A larger write is refused with <c>InvalidArgument</c> before it gets a decree,
    /// so nothing changes; 0 turns the check off. <c>PegasusClientOptions.MaxAllowedWriteSize</c> has the same
    /// default, so a client refuses such writes before sending them.
    /// </summary>
    /// <value>Defaults to 1 MiB (1,048,576), Pegasus's default; at most 32 MiB (see <c>Grpc.DataStreamLimits</c>).</value>
    public int MaxAllowedWriteSize { get; set; } = DataStreamLimits.DefaultMaxAllowedWriteSize;

    /// <summary>
    /// Gets or sets how long a primary waits for a secondary to acknowledge a prepare before it asks the meta leader
    /// to remove that secondary from the configuration (writes wait meanwhile; the removed node later rejoins by learning).
    /// </summary>
    /// <value>Defaults to 3 seconds.</value>
    public TimeSpan PrepareTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Gets or sets how the mutation log reaches the disk: <c>Interval</c> writes every group of mutations to the
    /// operating system at once and fsyncs every <see cref="LogFsyncInterval"/> (an acknowledged write survives any
    /// process crash; a power loss may take the last interval); <c>Always</c> fsyncs every group before it is acknowledged.
    /// </summary>
    /// <value>Defaults to <c>Interval</c>.</value>
    public LogFlushMode LogFlushMode { get; set; } = LogFlushMode.Interval;

    /// <summary>Gets or sets how often the mutation log is fsynced in <c>Interval</c> mode.</summary>
    /// <value>Defaults to 100 milliseconds.</value>
    public TimeSpan LogFsyncInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Gets or sets how many decrees the mutation log keeps behind the applied point, so a lagging or returning replica
    /// catches up from the log alone rather than from a checkpoint copy.
    /// </summary>
    /// <value>Defaults to 50,000.</value>
    public long LogRetainedDecrees { get; set; } = 50_000;

    /// <summary>
    /// Gets or sets how long a replica remembers the answers of a client session that writes nothing more. A retried
    /// write is answered from that memory instead of applied twice, so it must outlast any client's retries (the
    /// client's operation timeout).
    /// </summary>
    /// <value>Defaults to 5 minutes.</value>
    public TimeSpan WriteSessionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how long the data of a replica this node no longer holds (removed from its partition, or never
    /// assigned again after a restart) stays on disk before it is deleted. While it stays, the replica can come back
    /// by learning only the log it missed; Pegasus keeps such "garbage" replicas a day as well.
    /// </summary>
    /// <value>Defaults to 1 day.</value>
    public TimeSpan RemovedReplicaRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Splits <see cref="MetaServers"/> into addresses.</summary>
    /// <returns>The trimmed, non-empty entries in configuration order.</returns>
    public IReadOnlyList<string> GetMetaServerAddresses() =>
        MetaServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
