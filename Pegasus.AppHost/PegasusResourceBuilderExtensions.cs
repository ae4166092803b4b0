using System.Globalization;
using Pegasus.AppHost.ZooKeeper;

namespace Pegasus.AppHost;

/// <summary>How the AppHost wires one Pegasus server: ports, data directory and the shared config keys.</summary>
internal static class PegasusResourceBuilderExtensions
{
    /// <summary>Adds a meta server with the plan's state store and its own data directory.</summary>
    public static IResourceBuilder<ProjectResource> AddMetaServer(
        this IDistributedApplicationBuilder builder, string name, ServicePorts ports, PegasusClusterPlan plan)
    {
        var dataDirectory = Directory.CreateDirectory(plan.DataDirectoryOf(name)).FullName;
        return builder.AddProject<Projects.Pegasus_Meta>(name, launchProfileName: null)
            .WithPegasusListeners(ports, plan.BindAddress)
            .WithEnvironment("Meta__StateStore", plan.StateStore.ToString())
            .WithEnvironment("Meta__DataDirectory", dataDirectory)
            .WithEnvironment("Meta__ClusterName", plan.ClusterName)
            .WithEnvironment("Meta__AdvertisedGrpcAddress", plan.AdvertisedAddress(ports.Grpc))
            .WithEnvironment("Meta__AdvertisedHttpAddress", plan.AdvertisedAddress(ports.Http));
    }

    /// <summary>
    /// Adds a replica server that beacons <paramref name="metaServers"/>. Its identity is its
    /// advertised gRPC address, which stays the same across restarts because the port is fixed.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddReplicaServer(
        this IDistributedApplicationBuilder builder, string name, ServicePorts ports, PegasusClusterPlan plan, string metaServers)
    {
        var dataDirectory = Directory.CreateDirectory(plan.DataDirectoryOf(name)).FullName;
        return builder.AddProject<Projects.Pegasus_Replica>(name, launchProfileName: null)
            .WithPegasusListeners(ports, plan.BindAddress)
            .WithEnvironment("Replica__DataDirectory", dataDirectory)
            .WithEnvironment("Replica__MetaServers", metaServers)
            .WithEnvironment("Replica__AdvertisedAddress", plan.AdvertisedAddress(ports.Grpc));
    }

    /// <summary>
    /// Points a meta at ZooKeeper (<c>ZooKeeper:ConnectionString</c>, <c>ZooKeeper:SessionTimeout</c>)
    /// and starts it once ZooKeeper serves.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithZooKeeper<TZooKeeper>(
        this IResourceBuilder<ProjectResource> meta, IResourceBuilder<TZooKeeper> zooKeeper, TimeSpan sessionTimeout)
        where TZooKeeper : class, IZooKeeperResource
    {
        return meta
            .WithReference(zooKeeper)
            .WithEnvironment("ZooKeeper__ConnectionString", zooKeeper.Resource.ConnectionStringExpression)
            // Shorter than the replicas' lease, so they keep serving through a meta failover
            // (see PegasusClusterOptions.ZooKeeperSessionTimeout).
            .WithEnvironment("ZooKeeper__SessionTimeout", sessionTimeout.ToString("c", CultureInfo.InvariantCulture))
            .WaitFor(zooKeeper);
    }

    /// <summary>
    /// The two listeners every server has: <c>grpc</c> (HTTP/2 cleartext) and <c>http</c>
    /// (admin JSON, <c>/health</c>, <c>/alive</c>), both on fixed ports without Aspire's proxy,
    /// and the health check Aspire's <c>WaitFor</c> relies on.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithPegasusListeners(
        this IResourceBuilder<ProjectResource> builder, ServicePorts ports, string bindAddress)
    {
        return builder
            .WithEndpoint(port: ports.Grpc, targetPort: ports.Grpc, scheme: "http", name: "grpc", env: "Ports__Grpc", isProxied: false)
            .WithEndpoint("grpc", endpoint => endpoint.Transport = "http2")
            .WithEndpoint(port: ports.Http, targetPort: ports.Http, scheme: "http", name: "http", env: "Ports__Http", isProxied: false)
            .WithEnvironment("Ports__BindAddress", bindAddress)
            .WithHttpHealthCheck("/health", endpointName: "http");
    }
}
