namespace Pegasus.AppHost.ZooKeeper;

/// <summary>ZooKeeper run from the official container image.</summary>
/// <param name="name">The resource name; also the connection string name for <c>WithReference</c>.</param>
public sealed class ZooKeeperResource(string name) : ContainerResource(name), IZooKeeperResource
{
    internal const string PrimaryEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    /// <inheritdoc />
    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    /// <summary>
    /// <c>127.0.0.1:port</c>: the host port is published on loopback, and an IP literal keeps
    /// clients from trying <c>::1</c> first.
    /// </summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}
