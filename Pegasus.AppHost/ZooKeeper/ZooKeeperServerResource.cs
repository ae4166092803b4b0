namespace Pegasus.AppHost.ZooKeeper;

/// <summary>
/// ZooKeeper run as a local Java process (for machines with a ZooKeeper install but no container
/// runtime). Its <c>zoo.cfg</c> is generated into <see cref="ConfigDirectory"/> just before start.
/// </summary>
/// <param name="name">The resource name; also the connection string name for <c>WithReference</c>.</param>
/// <param name="javaPath">The <c>java</c> executable.</param>
/// <param name="configDirectory">Holds the generated <c>zoo.cfg</c> and, under <c>data/</c>, the snapshots and transaction log.</param>
public sealed class ZooKeeperServerResource(string name, string javaPath, string configDirectory)
    : ExecutableResource(name, javaPath, configDirectory), IZooKeeperResource
{
    internal const string PrimaryEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    /// <summary>Directory of the generated <c>zoo.cfg</c>.</summary>
    public string ConfigDirectory { get; } = configDirectory;

    /// <summary>The generated configuration file passed to <c>QuorumPeerMain</c>.</summary>
    public string ConfigFile => Path.Combine(ConfigDirectory, "zoo.cfg");

    /// <summary>ZooKeeper's <c>dataDir</c>.</summary>
    public string DataDirectory => Path.Combine(ConfigDirectory, "data");

    /// <inheritdoc />
    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    /// <summary><c>127.0.0.1:port</c>: the server binds loopback only (see the generated <c>zoo.cfg</c>).</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}
