using System.Globalization;
using Pegasus.AppHost.ZooKeeper;
using Pegasus.LocalCluster;

namespace Pegasus.AppHost;

/// <summary>How ZooKeeper is hosted in this run, once <see cref="ZooKeeperMode"/> is resolved.</summary>
public enum ZooKeeperHosting
{
    None,
    Container,
    Local,
}

/// <summary>The two listeners of one Pegasus server.</summary>
/// <param name="Grpc">HTTP/2 cleartext port for gRPC (<c>Ports:Grpc</c>).</param>
/// <param name="Http">HTTP/1.1 port for the admin API and health (<c>Ports:Http</c>).</param>
public readonly record struct ServicePorts(int Grpc, int Http);

/// <summary>
/// What the AppHost will start, decided once from <see cref="PegasusClusterOptions"/> and the
/// machine (container runtime, local ZooKeeper install) before any resource is added.
/// </summary>
public sealed class PegasusClusterPlan
{
    private PegasusClusterPlan(
        ZooKeeperHosting zooKeeper,
        ZooKeeperInstallation? installation,
        MetaStateStoreKind stateStore,
        string reason,
        bool fellBack,
        PegasusClusterOptions options,
        string dataRoot,
        int zooKeeperPort,
        IReadOnlyList<ServicePorts> metas,
        IReadOnlyList<ServicePorts> replicas)
    {
        ZooKeeper = zooKeeper;
        Installation = installation;
        StateStore = stateStore;
        Reason = reason;
        FellBackToEmbedded = fellBack;
        ClusterName = options.ClusterName;
        ZooKeeperSessionTimeout = options.ZooKeeperSessionTimeout;
        BindAddress = options.BindAddress;
        DataRoot = dataRoot;
        ZooKeeperPort = zooKeeperPort;
        Metas = metas;
        Replicas = replicas;
    }

    public ZooKeeperHosting ZooKeeper { get; }

    /// <summary>Set when <see cref="ZooKeeper"/> is <see cref="ZooKeeperHosting.Local"/>.</summary>
    public ZooKeeperInstallation? Installation { get; }

    /// <summary>What the metas get as <c>Meta:StateStore</c>.</summary>
    public MetaStateStoreKind StateStore { get; }

    /// <summary>Why this mode was chosen, for the startup log.</summary>
    public string Reason { get; }

    /// <summary>
    /// ZooKeeper was wanted (<c>Auto</c> with the ZooKeeper store) but neither a container runtime
    /// nor a local install was found, so the cluster runs embedded instead.
    /// </summary>
    public bool FellBackToEmbedded { get; }

    public string ClusterName { get; }

    /// <summary>Address the servers bind.</summary>
    public string BindAddress { get; }

    /// <summary>Absolute root of the data directories.</summary>
    public string DataRoot { get; }

    public int ZooKeeperPort { get; }

    /// <summary>What the metas get as <c>ZooKeeper:SessionTimeout</c> (see <see cref="PegasusClusterOptions.ZooKeeperSessionTimeout"/>).</summary>
    public TimeSpan ZooKeeperSessionTimeout { get; }

    public IReadOnlyList<ServicePorts> Metas { get; }

    public IReadOnlyList<ServicePorts> Replicas { get; }

    /// <summary>
    /// <c>http://host:port</c> others use to reach a server; a wildcard bind address is advertised
    /// as loopback, the only address every local process can reach.
    /// </summary>
    public string AdvertisedAddress(int port)
    {
        var host = BindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : BindAddress;
        host = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}");
    }

    /// <summary>Data directory of one resource: <c>&lt;DataRoot&gt;/&lt;name&gt;</c>.</summary>
    public string DataDirectoryOf(string resourceName) => Path.Combine(DataRoot, resourceName);

    /// <summary>Resolves the mode (throwing on impossible explicit choices) and lays out ports and directories.</summary>
    /// <exception cref="InvalidOperationException">The options are invalid, or an explicitly requested ZooKeeper is unavailable.</exception>
    public static PegasusClusterPlan Create(PegasusClusterOptions options, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid Pegasus AppHost configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        var (hosting, installation, reason, fellBack) = ResolveZooKeeper(options);
        var stateStore = hosting == ZooKeeperHosting.None ? MetaStateStoreKind.Embedded : MetaStateStoreKind.ZooKeeper;

        // The embedded store is a single-process store: a second meta would have nothing to share it with.
        var metaCount = stateStore == MetaStateStoreKind.Embedded ? 1 : options.MetaCount;
        var ports = options.Ports.Base == 0
            ? AllocateFreePorts(1 + (2 * (metaCount + options.ReplicaCount)))
            : null;
        var next = 1;
        ServicePorts PortsFor(int fixedGrpc, int fixedHttp) =>
            ports is null ? new ServicePorts(fixedGrpc, fixedHttp) : new ServicePorts(ports[next++], ports[next++]);

        var basePort = options.Ports.Base;
        var metas = Enumerable.Range(0, metaCount).Select(i => PortsFor(basePort + 1 + i, basePort + 101 + i)).ToArray();
        var replicas = Enumerable.Range(0, options.ReplicaCount).Select(i => PortsFor(basePort + 201 + i, basePort + 301 + i)).ToArray();
        var zooKeeperPort = options.Ports.ZooKeeper ?? (ports is null ? basePort : ports[0]);
        var dataRoot = Path.GetFullPath(Path.Combine(repositoryRoot, options.DataRoot));
        return new PegasusClusterPlan(hosting, installation, stateStore, reason, fellBack, options, dataRoot, zooKeeperPort, metas, replicas);
    }

    private static (ZooKeeperHosting Hosting, ZooKeeperInstallation? Installation, string Reason, bool FellBack) ResolveZooKeeper(PegasusClusterOptions options)
    {
        if (options.ZooKeeper == ZooKeeperMode.None)
        {
            return (ZooKeeperHosting.None, null, "Pegasus:ZooKeeper is None", false);
        }

        if (options.MetaStateStore == MetaStateStoreKind.Embedded)
        {
            // Validation already rejected an explicit Container/Local here, so this is Auto.
            return (ZooKeeperHosting.None, null, "Pegasus:MetaStateStore is Embedded, so no meta would use ZooKeeper", false);
        }

        var runtime = options.ContainerRuntime
            ?? Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME")
            ?? Environment.GetEnvironmentVariable("DOTNET_ASPIRE_CONTAINER_RUNTIME")
            ?? "docker";
        string containerDetail = "not probed";
        if (options.ZooKeeper is ZooKeeperMode.Auto or ZooKeeperMode.Container)
        {
            if (ContainerRuntimeProbe.Answers(runtime, out containerDetail))
            {
                return (ZooKeeperHosting.Container, null, $"Pegasus:ZooKeeper is {options.ZooKeeper} and a container runtime answers ({containerDetail})", false);
            }

            if (options.ZooKeeper == ZooKeeperMode.Container)
            {
                throw new InvalidOperationException($"Pegasus:ZooKeeper is Container but no container runtime answers: {containerDetail}.");
            }
        }

        var local = options.LocalZooKeeper;
        var installation = ZooKeeperInstallation.Locate(local.Java, local.InstallPath, local.ClassPath, out var localDetail);
        if (installation is not null)
        {
            var why = options.ZooKeeper == ZooKeeperMode.Local
                ? $"Pegasus:ZooKeeper is Local and a local ZooKeeper install was found ({localDetail})"
                : $"Pegasus:ZooKeeper is Auto, no container runtime answers ({containerDetail}) and a local ZooKeeper install was found ({localDetail})";
            return (ZooKeeperHosting.Local, installation, why, false);
        }

        if (options.ZooKeeper == ZooKeeperMode.Local)
        {
            throw new InvalidOperationException($"Pegasus:ZooKeeper is Local but no local ZooKeeper was found: {localDetail}.");
        }

        return (ZooKeeperHosting.None, null, $"no container runtime ({containerDetail}) and no local ZooKeeper install ({localDetail})", true);
    }

    // Not the OS's ephemeral range: see LoopbackPortAllocator.
    private static int[] AllocateFreePorts(int count) => LoopbackPortAllocator.Allocate(count);
}
