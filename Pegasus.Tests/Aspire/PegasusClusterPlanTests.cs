using Microsoft.Extensions.Configuration;
using Pegasus.AppHost;

namespace Pegasus.Tests.Aspire;

/// <summary>How the AppHost turns its configuration into a cluster shape, without starting anything.</summary>
public sealed class PegasusClusterPlanTests
{
    private const string RepositoryRoot = "/repo";

    [Fact]
    public void Plan_DefaultOptions_RunsEmbeddedSingleMetaOnTheFixedPortLayout()
    {
        var plan = PegasusClusterPlan.Create(new PegasusClusterOptions(), RepositoryRoot);

        Assert.Equal(ZooKeeperHosting.None, plan.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.Embedded, plan.StateStore);
        Assert.Equal([new ServicePorts(35601, 35701)], plan.Metas);
        Assert.Equal([new ServicePorts(35801, 35901), new ServicePorts(35802, 35902), new ServicePorts(35803, 35903)], plan.Replicas);
        Assert.Equal(Path.GetFullPath("/repo/.data/replica-1"), plan.DataDirectoryOf("replica-1"));
        Assert.Equal("http://127.0.0.1:35601", plan.AdvertisedAddress(plan.Metas[0].Grpc));
    }

    [Fact]
    public void Options_FromConfiguration_ReadsLowerCaseModesAndNestedKeys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pegasus:ZooKeeper"] = "local",
            ["Pegasus:MetaStateStore"] = "zookeeper",
            ["Pegasus:ReplicaCount"] = "5",
            ["Pegasus:Ports:Base"] = "0",
            ["Pegasus:LocalZooKeeper:InstallPath"] = "/opt/zookeeper",
        }).Build();

        var options = PegasusClusterOptions.FromConfiguration(configuration);

        Assert.Equal(ZooKeeperMode.Local, options.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.ZooKeeper, options.MetaStateStore);
        Assert.Equal(5, options.ReplicaCount);
        Assert.Equal(2, options.MetaCount);
        Assert.Equal(0, options.Ports.Base);
        Assert.Equal("/opt/zookeeper", options.LocalZooKeeper.InstallPath);
    }

    [Fact]
    public void Plan_ZooKeeperNone_FallsBackToEmbeddedEvenWhenTheStoreAsksForZooKeeper()
    {
        var plan = PegasusClusterPlan.Create(
            new PegasusClusterOptions { ZooKeeper = ZooKeeperMode.None, MetaStateStore = MetaStateStoreKind.ZooKeeper, MetaCount = 3 },
            RepositoryRoot);

        Assert.Equal(ZooKeeperHosting.None, plan.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.Embedded, plan.StateStore);
        Assert.Single(plan.Metas);
    }

    [Theory]
    [InlineData(ZooKeeperMode.Local)]
    [InlineData(ZooKeeperMode.Container)]
    public void Plan_ExplicitZooKeeperWithEmbeddedStore_IsRejected(ZooKeeperMode mode)
    {
        var error = Assert.Throws<InvalidOperationException>(() => PegasusClusterPlan.Create(
            new PegasusClusterOptions { ZooKeeper = mode, MetaStateStore = MetaStateStoreKind.Embedded }, RepositoryRoot));

        Assert.Contains("Pegasus:MetaStateStore=ZooKeeper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_InvalidOptions_ReportsEveryProblemAtOnce()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PegasusClusterPlan.Create(
            new PegasusClusterOptions { MetaCount = 0, ReplicaCount = 100, BindAddress = "not-an-ip", Ports = { Base = 65300 } },
            RepositoryRoot));

        Assert.Contains("Pegasus:MetaCount", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pegasus:ReplicaCount", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pegasus:BindAddress", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pegasus:Ports:Base", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_PortBaseZero_PicksDistinctFreePorts()
    {
        var plan = PegasusClusterPlan.Create(
            new PegasusClusterOptions { ReplicaCount = 5, Ports = { Base = 0 } }, RepositoryRoot);

        int[] ports = [plan.ZooKeeperPort, .. plan.Metas.Concat(plan.Replicas).SelectMany(p => new[] { p.Grpc, p.Http })];
        Assert.Equal(1 + (2 * 6), ports.Length);
        Assert.All(ports, port => Assert.InRange(port, 1, 65535));
        Assert.Equal(ports.Length, ports.Distinct().Count());
    }

    [Fact]
    public void Plan_LocalZooKeeperWithMissingJava_IsRejectedWithTheReason()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PegasusClusterPlan.Create(
            new PegasusClusterOptions
            {
                ZooKeeper = ZooKeeperMode.Local,
                MetaStateStore = MetaStateStoreKind.ZooKeeper,
                LocalZooKeeper = { Java = "/nonexistent/bin/java" },
            },
            RepositoryRoot));

        Assert.Contains("/nonexistent/bin/java", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AutoWithNeitherContainerRuntimeNorLocalInstall_FallsBackToEmbedded()
    {
        var plan = PegasusClusterPlan.Create(
            new PegasusClusterOptions
            {
                MetaStateStore = MetaStateStoreKind.ZooKeeper,
                ContainerRuntime = "/nonexistent/bin/docker",
                LocalZooKeeper = { Java = "/nonexistent/bin/java" },
            },
            RepositoryRoot);

        Assert.True(plan.FellBackToEmbedded);
        Assert.Equal(ZooKeeperHosting.None, plan.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.Embedded, plan.StateStore);
        Assert.Single(plan.Metas);
        Assert.Contains("/nonexistent/bin/docker", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AutoWithoutContainerRuntime_ChoosesTheLocalInstall()
    {
        LocalZooKeeperRequirement.Ensure();

        var plan = PegasusClusterPlan.Create(
            new PegasusClusterOptions { MetaStateStore = MetaStateStoreKind.ZooKeeper, ContainerRuntime = "/nonexistent/bin/docker" },
            RepositoryRoot);

        Assert.False(plan.FellBackToEmbedded);
        Assert.Equal(ZooKeeperHosting.Local, plan.ZooKeeper);
        Assert.Equal(2, plan.Metas.Count);
    }

    [Fact]
    public void Plan_LocalZooKeeper_RunsEveryMetaOnZooKeeper()
    {
        LocalZooKeeperRequirement.Ensure();

        var plan = PegasusClusterPlan.Create(
            new PegasusClusterOptions { ZooKeeper = ZooKeeperMode.Local, MetaStateStore = MetaStateStoreKind.ZooKeeper },
            RepositoryRoot);

        Assert.Equal(ZooKeeperHosting.Local, plan.ZooKeeper);
        Assert.NotNull(plan.Installation);
        Assert.Equal(MetaStateStoreKind.ZooKeeper, plan.StateStore);
        Assert.Equal([new ServicePorts(35601, 35701), new ServicePorts(35602, 35702)], plan.Metas);
        Assert.Equal(35600, plan.ZooKeeperPort);
    }
}
