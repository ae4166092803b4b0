using System.Net.Sockets;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Pegasus.AppHost.ZooKeeper;

namespace Pegasus.Tests.Aspire;

/// <summary>
/// The AppHost in local-ZooKeeper mode: how ZooKeeper is wired into the metas (model only), and
/// the local ZooKeeper resource really started by Aspire (without the servers, whose ZooKeeper
/// mode is exercised by the full-cluster test).
/// </summary>
public sealed class AppHostZooKeeperWiringTests
{
    private static readonly string[] LocalZooKeeperArgs = ["--Pegasus:ZooKeeper=Local", "--Pegasus:MetaStateStore=ZooKeeper", "--Pegasus:Ports:Base=0"];

    [Fact]
    public async Task AppHost_LocalZooKeeperMode_PointsEveryMetaAtZooKeeperAndEveryReplicaAtEveryMeta()
    {
        LocalZooKeeperRequirement.Ensure();
        var cancellationToken = TestContext.Current.CancellationToken;
        var dataRoot = Directory.CreateTempSubdirectory("pegasus-apphost-model-").FullName;
        try
        {
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Pegasus_AppHost>(
                [.. LocalZooKeeperArgs, $"--Pegasus:DataRoot={dataRoot}"], cancellationToken);

            var zk = Assert.IsType<ZooKeeperServerResource>(Assert.Single(builder.Resources, r => r.Name == "zk"));
            var metas = builder.Resources.OfType<ProjectResource>().Where(r => r.Name.StartsWith("meta-", StringComparison.Ordinal)).ToArray();
            var replicas = builder.Resources.OfType<ProjectResource>().Where(r => r.Name.StartsWith("replica-", StringComparison.Ordinal)).ToArray();
            Assert.Equal(2, metas.Length);
            Assert.Equal(3, replicas.Length);

            var metaGrpcAddresses = new List<string>();
            foreach (var meta in metas)
            {
                Assert.Contains(meta.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource == zk);
                var environment = await EnvironmentOfAsync(meta);
                Assert.Equal("ZooKeeper", environment["Meta__StateStore"]);
                Assert.Equal("00:00:06", environment["ZooKeeper__SessionTimeout"]);
                Assert.Equal(Path.Combine(dataRoot, meta.Name), environment["Meta__DataDirectory"]);
                var connectionString = Assert.IsType<ReferenceExpression>(environment["ZooKeeper__ConnectionString"]);
                Assert.Equal("127.0.0.1:{0}", connectionString.Format);
                var port = Assert.IsType<EndpointReferenceExpression>(Assert.Single(connectionString.ValueProviders));
                Assert.Same(zk, port.Endpoint.Resource);

                var grpc = Assert.Single(meta.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "grpc");
                Assert.False(grpc.IsProxied);
                Assert.Equal(grpc.Port, grpc.TargetPort);
                metaGrpcAddresses.Add($"http://127.0.0.1:{grpc.Port}");
            }

            foreach (var replica in replicas)
            {
                var environment = await EnvironmentOfAsync(replica);
                Assert.Equal(string.Join(',', metaGrpcAddresses), environment["Replica__MetaServers"]);
                var grpc = Assert.Single(replica.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "grpc");
                Assert.Equal($"http://127.0.0.1:{grpc.Port}", environment["Replica__AdvertisedAddress"]);
                // Both metas: the standby is healthy as soon as its ZooKeeper session is up.
                Assert.All(metas, meta => Assert.Contains(replica.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource == meta));
            }
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }

    [Fact]
    public async Task AppHost_LocalZooKeeper_StartsAndServesRequests()
    {
        LocalZooKeeperRequirement.Ensure();
        var cancellationToken = TestContext.Current.CancellationToken;

        // Only ZooKeeper: the servers' own ZooKeeper mode is not what this test is about.
        await using var cluster = await AppHostCluster.StartAsync(LocalZooKeeperArgs, cancellationToken, builder =>
        {
            foreach (var server in builder.Resources.Where(r => r is ProjectResource or IResourceWithParent { Parent: ProjectResource }).ToArray())
            {
                builder.Resources.Remove(server);
            }
        });

        Assert.Equal(["zk"], cluster.ResourceNames);
        var connectionString = await cluster.App.GetConnectionStringAsync("zk", cancellationToken);
        Assert.NotNull(connectionString);
        Assert.StartsWith("127.0.0.1:", connectionString, StringComparison.Ordinal);

        // Health already required a Mode line; a second, independent look at the same port.
        var port = int.Parse(connectionString["127.0.0.1:".Length..], System.Globalization.CultureInfo.InvariantCulture);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        await client.GetStream().WriteAsync("srvr"u8.ToArray(), cancellationToken);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        var reply = await reader.ReadToEndAsync(cancellationToken);
        Assert.Contains("Mode: standalone", reply, StringComparison.Ordinal);
    }

    // Runs the resource's environment callbacks without starting anything: values stay as
    // configured (strings, or expressions still unresolved). Also used by PegasusClusterPlanTests.
    internal static async Task<Dictionary<string, object>> EnvironmentOfAsync(IResource resource)
    {
        var environment = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource, environment, TestContext.Current.CancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return environment;
    }
}
