namespace Pegasus.AppHost.ZooKeeper;

/// <summary>
/// A ZooKeeper server however it is hosted (container or local process): one client endpoint
/// and a connection string in ZooKeeper's own <c>host:port</c> form.
/// </summary>
public interface IZooKeeperResource : IResourceWithConnectionString, IResourceWithEndpoints
{
    /// <summary>The endpoint ZooKeeper clients connect to.</summary>
    EndpointReference PrimaryEndpoint { get; }
}
