using Microsoft.Extensions.Configuration;

namespace Pegasus.AppHost;

/// <summary>Where ZooKeeper comes from (config <c>Pegasus:ZooKeeper</c>).</summary>
public enum ZooKeeperMode
{
    /// <summary>A container when a container runtime answers, else a local install, else none.</summary>
    Auto,

    /// <summary>The official container image; fails when no container runtime answers.</summary>
    Container,

    /// <summary>A local Java process from a ZooKeeper install; fails when none is found.</summary>
    Local,

    /// <summary>No ZooKeeper: one meta server with the embedded state store.</summary>
    None,
}

/// <summary>The meta servers' state store (config <c>Pegasus:MetaStateStore</c>, passed on as <c>Meta:StateStore</c>).</summary>
public enum MetaStateStoreKind
{
    /// <summary>The file-backed single-meta store; never needs ZooKeeper.</summary>
    Embedded,

    /// <summary>ZooKeeper holds the leader lock and the cluster state; allows standby metas.</summary>
    ZooKeeper,
}

/// <summary>The local cluster the AppHost starts; bound from the <c>Pegasus</c> configuration section.</summary>
public sealed class PegasusClusterOptions
{
    public const string SectionName = "Pegasus";

    /// <summary>The default of <see cref="ZooKeeperSessionTimeout"/>.</summary>
    public static readonly TimeSpan DefaultZooKeeperSessionTimeout = TimeSpan.FromSeconds(6);

    /// <summary>Reads the <c>Pegasus</c> section; enum values are case-insensitive (<c>auto</c>, <c>local</c>, …).</summary>
    public static PegasusClusterOptions FromConfiguration(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<PegasusClusterOptions>() ?? new PegasusClusterOptions();

    /// <summary>Where ZooKeeper comes from.</summary>
    /// <value>Defaults to <see cref="ZooKeeperMode.Auto"/>.</value>
    public ZooKeeperMode ZooKeeper { get; set; } = ZooKeeperMode.Auto;

    /// <summary>
    /// The state store the metas use when ZooKeeper is available. With
    /// <see cref="MetaStateStoreKind.Embedded"/> no ZooKeeper is started and one meta runs.
    /// </summary>
    /// <value>Defaults to <see cref="MetaStateStoreKind.ZooKeeper"/> (embedded only when no ZooKeeper can be had).</value>
    public MetaStateStoreKind MetaStateStore { get; set; } = MetaStateStoreKind.ZooKeeper;

    /// <summary>
    /// Passed to the metas as <c>ZooKeeper:SessionTimeout</c>: how long after a meta leader dies
    /// (without a graceful stop) its ZooKeeper session ends and a standby takes over.
    /// </summary>
    /// <remarks>
    /// A replica server stops serving when its lease runs out: 8 s after its last accepted beacon
    /// (80 % of the metas' default <c>Meta:ReplicaGracePeriod</c> of 10 s). A session timeout
    /// below that (the meta's own default is 10 s) lets the standby take over, and the replicas'
    /// next beacon (every second) reach it, before any lease expires, so replicas keep serving
    /// through a meta failover. ZooKeeper clamps it to 2..20 ticks (4..40 s with the 2 s tick of
    /// the generated <c>zoo.cfg</c> and of the container image).
    /// </remarks>
    /// <value>Defaults to 6 seconds.</value>
    public TimeSpan ZooKeeperSessionTimeout { get; set; } = DefaultZooKeeperSessionTimeout;

    /// <summary>Meta servers in ZooKeeper mode (the embedded mode always runs one).</summary>
    /// <value>Defaults to 2.</value>
    public int MetaCount { get; set; } = 2;

    /// <summary>Replica servers.</summary>
    /// <value>Defaults to 3.</value>
    public int ReplicaCount { get; set; } = 3;

    /// <summary>Passed to the metas as <c>Meta:ClusterName</c>.</summary>
    /// <value>Defaults to <c>pegasus</c>.</value>
    public string ClusterName { get; set; } = "pegasus";

    /// <summary>
    /// Root of every server's data directory (<c>&lt;root&gt;/&lt;resource name&gt;/</c>); a relative
    /// path is taken from the repository root.
    /// </summary>
    /// <value>Defaults to <c>.data</c> in the repository root.</value>
    public string DataRoot { get; set; } = ".data";

    /// <summary>Address every server binds (<c>Ports:BindAddress</c>) and advertises.</summary>
    /// <value>Defaults to <c>127.0.0.1</c>.</value>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Port layout.</summary>
    public PegasusPortOptions Ports { get; set; } = new();

    /// <summary>How to find a local ZooKeeper.</summary>
    public LocalZooKeeperOptions LocalZooKeeper { get; set; } = new();

    /// <summary>The container CLI probed in <see cref="ZooKeeperMode.Auto"/> mode.</summary>
    /// <value>Defaults to Aspire's own setting (<c>ASPIRE_CONTAINER_RUNTIME</c>), else <c>docker</c>.</value>
    public string? ContainerRuntime { get; set; }

    /// <summary>Every problem at once, so one run shows them all.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MetaCount is < 1 or > PegasusPortOptions.MaxMetas)
        {
            errors.Add($"Pegasus:MetaCount must be 1..{PegasusPortOptions.MaxMetas} (was {MetaCount}).");
        }

        if (ReplicaCount is < 1 or > PegasusPortOptions.MaxReplicas)
        {
            errors.Add($"Pegasus:ReplicaCount must be 1..{PegasusPortOptions.MaxReplicas} (was {ReplicaCount}).");
        }

        if (string.IsNullOrWhiteSpace(ClusterName))
        {
            errors.Add("Pegasus:ClusterName must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(DataRoot))
        {
            errors.Add("Pegasus:DataRoot must not be empty.");
        }

        if (!System.Net.IPAddress.TryParse(BindAddress, out _))
        {
            errors.Add($"Pegasus:BindAddress must be an IP address (was '{BindAddress}').");
        }

        if (Ports.Base != 0 && (Ports.Base < 1024 || Ports.Base + PegasusPortOptions.Span > 65535))
        {
            errors.Add($"Pegasus:Ports:Base must be 0 (pick free ports) or 1024..{65535 - PegasusPortOptions.Span} (was {Ports.Base}).");
        }

        if (Ports.ZooKeeper is { } zk && zk is < 1 or > 65535)
        {
            errors.Add($"Pegasus:Ports:ZooKeeper must be 1..65535 (was {zk}).");
        }

        // The metas' own range for ZooKeeper:SessionTimeout; failing here names the AppHost key.
        if (ZooKeeperSessionTimeout < TimeSpan.FromSeconds(1) || ZooKeeperSessionTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Pegasus:ZooKeeperSessionTimeout must be 00:00:01..00:10:00 (was {ZooKeeperSessionTimeout}).");
        }

        if (MetaStateStore == MetaStateStoreKind.Embedded && ZooKeeper is ZooKeeperMode.Container or ZooKeeperMode.Local)
        {
            errors.Add($"Pegasus:ZooKeeper={ZooKeeper} needs Pegasus:MetaStateStore=ZooKeeper: with the Embedded store no meta would use it.");
        }

        return errors;
    }
}

/// <summary>
/// Fixed ports, so a replica keeps its identity (its advertised address) across restarts.
/// From <see cref="Base"/>: ZooKeeper +0, meta-i gRPC +1+i and HTTP +101+i, replica-i gRPC
/// +201+i and HTTP +301+i; e.g. meta-0 = 35601/35701, replica-0 = 35801/35901.
/// </summary>
public sealed class PegasusPortOptions
{
    public const int MaxMetas = 9;
    public const int MaxReplicas = 99;
    public const int Span = 400;

    /// <summary>First port of the layout; 0 picks free ports instead (tests).</summary>
    /// <value>Defaults to 35600.</value>
    public int Base { get; set; } = 35600;

    /// <summary>Overrides ZooKeeper's client port.</summary>
    /// <value>Defaults to <see cref="Base"/> + 0.</value>
    public int? ZooKeeper { get; set; }
}

/// <summary>How to find and run a local ZooKeeper (config <c>Pegasus:LocalZooKeeper</c>).</summary>
public sealed class LocalZooKeeperOptions
{
    /// <summary>The <c>java</c> executable.</summary>
    /// <value>Defaults to <c>$JAVA_HOME/bin/java</c>, else <c>java</c> on PATH.</value>
    public string? Java { get; set; }

    /// <summary>An Apache ZooKeeper release directory (with <c>conf/</c> and <c>lib/</c>).</summary>
    /// <value>Defaults to Debian's package (<c>/usr/share/java/zookeeper.jar</c>).</value>
    public string? InstallPath { get; set; }

    /// <summary>An explicit JVM class path; wins over <see cref="InstallPath"/>.</summary>
    public string? ClassPath { get; set; }
}
