namespace Pegasus.Meta.Options;

/// <summary>The meta server's settings, bound from the <c>Meta</c> configuration section.</summary>
public sealed class MetaOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Meta";

    /// <summary>Gets or sets where the durable cluster metadata lives.</summary>
    /// <value>Defaults to <see cref="MetaStateStoreKind.Embedded"/>.</value>
    public MetaStateStoreKind StateStore { get; set; } = MetaStateStoreKind.Embedded;

    /// <summary>
    /// Gets or sets the directory of the embedded state store; a relative path is resolved against
    /// the process's current directory.
    /// </summary>
    /// <value>Defaults to <c>data/meta</c>.</value>
    public string DataDirectory { get; set; } = "data/meta";

    /// <summary>
    /// Gets or sets the cluster's name; it roots the cluster's state (<c>/pegasus/&lt;cluster&gt;</c> in ZooKeeper).
    /// </summary>
    /// <value>Defaults to <c>pegasus</c>.</value>
    public string ClusterName { get; set; } = "pegasus";

    /// <summary>
    /// Gets or sets the gRPC address other processes reach this meta server at (clients and replica
    /// servers are redirected to it when this meta server leads).
    /// </summary>
    /// <value>Defaults to <c>http://127.0.0.1:&lt;Ports:Grpc&gt;</c>.</value>
    public string? AdvertisedGrpcAddress { get; set; }

    /// <summary>Gets or sets the admin HTTP address other processes reach this meta server at.</summary>
    /// <value>Defaults to <c>http://127.0.0.1:&lt;Ports:Http&gt;</c>.</value>
    public string? AdvertisedHttpAddress { get; set; }

    /// <summary>
    /// Gets or sets how long after its last beacon a replica server still counts as alive. Replica
    /// servers get a lease shorter than this (<see cref="LeaseFraction"/> of it), so a node stops
    /// serving before the meta server declares it dead.
    /// </summary>
    /// <value>Defaults to 10 seconds.</value>
    public TimeSpan ReplicaGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The share of <see cref="ReplicaGracePeriod"/> granted to a replica server as its lease.</summary>
    public const double LeaseFraction = 0.8;

    /// <summary>Gets the lease a beacon grants: shorter than the grace period, leaving room for clock drift and message delay.</summary>
    public TimeSpan ReplicaLease => ReplicaGracePeriod * LeaseFraction;

    /// <summary>Gets or sets how often the meta leader checks every partition for dead members and missing copies.</summary>
    /// <value>Defaults to 500 milliseconds.</value>
    public TimeSpan ReconfigurationInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets how many partitions may have a learner catching up at once, cluster-wide.</summary>
    /// <value>Defaults to 8.</value>
    public int MaxConcurrentLearners { get; set; } = 8;

    /// <summary>
    /// Gets or sets whether the meta leader balances the cluster on its own, every <see cref="RebalanceInterval"/>: when a
    /// server joins or returns, primaries move to it by role swaps and then copies by learning, a bounded number at a
    /// time (<see cref="MaxConcurrentLearners"/>), until per-server counts differ by at most one. When off, the admin API
    /// (<c>POST /v1/rebalance</c>) still runs a round on request.
    /// </summary>
    /// <value>Defaults to true.</value>
    public bool AutoRebalance { get; set; } = true;

    /// <summary>Gets or sets how often the meta leader plans and starts balance moves when <see cref="AutoRebalance"/> is on.</summary>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan RebalanceInterval { get; set; } = TimeSpan.FromSeconds(5);
}
