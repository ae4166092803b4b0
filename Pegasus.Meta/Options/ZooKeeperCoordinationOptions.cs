using Pegasus.ZooKeeper;

namespace Pegasus.Meta.Options;

/// <summary>
/// How a meta server reaches ZooKeeper when <c>Meta:StateStore</c> is <c>ZooKeeper</c>; bound from the
/// <c>ZooKeeper</c> configuration section.
/// </summary>
public sealed class ZooKeeperCoordinationOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "ZooKeeper";

    /// <summary>The parent of every cluster's root: a cluster lives under <c>/pegasus/&lt;Meta:ClusterName&gt;</c>.</summary>
    public const string RootPath = "/pegasus";

    /// <summary>
    /// Gets or sets the ZooKeeper servers and an optional chroot: <c>host:port,host:port[/chroot]</c>
    /// (the port defaults to 2181; a chroot node must exist).
    /// </summary>
    /// <value>No default; required.</value>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the ZooKeeper session timeout to ask for (the servers clamp it to their limits).
    /// A meta leader whose session ends loses leadership; a standby takes over about this long after a
    /// leader crashed, so it bounds the meta outage after a crash. The default stays below the replica
    /// servers' lease (80 % of the default 10 s <c>Meta:ReplicaGracePeriod</c>, i.e. 8 s), so replica
    /// servers keep serving while a standby takes over from a crashed leader.
    /// </summary>
    /// <value>Defaults to 6 seconds.</value>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Gets or sets how long one attempt to open a session may take before it is retried.</summary>
    /// <value>Defaults to 15 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets or sets how often a standby re-reads who leads when the node it watches is not the
    /// leader's (with three or more meta servers), so it forwards callers to the right leader.
    /// </summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan LeaderRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The ZooKeeper client settings these options describe.</summary>
    /// <returns>New client options.</returns>
    public ZooKeeperClientOptions ToClientOptions() => new()
    {
        ConnectionString = ConnectionString,
        SessionTimeout = SessionTimeout,
        ConnectTimeout = ConnectTimeout,
    };

    /// <summary>The root of a cluster's state and leader lock.</summary>
    /// <param name="clusterName">The cluster's name (<c>Meta:ClusterName</c>).</param>
    /// <returns><c>/pegasus/&lt;clusterName&gt;</c>.</returns>
    public static string ClusterRoot(string clusterName) => $"{RootPath}/{clusterName}";
}
