using System.Globalization;
using Microsoft.Extensions.Configuration;
using Pegasus.AppHost;

namespace Pegasus.Tests.Aspire;

/// <summary>How the AppHost turns its configuration into a cluster shape, without starting anything.</summary>
public sealed class PegasusClusterPlanTests
{
    private const string RepositoryRoot = "/repo";

    [Fact]
    public void Options_Defaults_AskForZooKeeperFromAnywhereWithTwoMetas()
    {
        var options = new PegasusClusterOptions();

        Assert.Equal(ZooKeeperMode.Auto, options.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.ZooKeeper, options.MetaStateStore);
        Assert.Equal(2, options.MetaCount);
        Assert.Equal(3, options.ReplicaCount);
        // Below the replicas' 8 s lease (80 % of the metas' 10 s grace period), so they serve through a meta failover.
        Assert.Equal(TimeSpan.FromSeconds(6), options.ZooKeeperSessionTimeout);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void AppSettings_PegasusSection_AgreesWithTheOptionDefaults()
    {
        var appHostDirectory = Projects.Pegasus_AppHost.ProjectPath;
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(appHostDirectory, "appsettings.json"), optional: false)
            .Build();

        var fromFile = PegasusClusterOptions.FromConfiguration(configuration);
        var defaults = new PegasusClusterOptions();

        Assert.Equal(
            (defaults.ZooKeeper, defaults.MetaStateStore, defaults.ZooKeeperSessionTimeout, defaults.MetaCount, defaults.ReplicaCount),
            (fromFile.ZooKeeper, fromFile.MetaStateStore, fromFile.ZooKeeperSessionTimeout, fromFile.MetaCount, fromFile.ReplicaCount));
        Assert.Equal((defaults.ClusterName, defaults.DataRoot, defaults.BindAddress, defaults.Ports.Base), (fromFile.ClusterName, fromFile.DataRoot, fromFile.BindAddress, fromFile.Ports.Base));
    }

    [Fact]
    public void Plan_ZooKeeperNone_RunsEmbeddedSingleMetaOnTheFixedPortLayout()
    {
        var plan = PegasusClusterPlan.Create(new PegasusClusterOptions { ZooKeeper = ZooKeeperMode.None }, RepositoryRoot);

        Assert.Equal(ZooKeeperHosting.None, plan.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.Embedded, plan.StateStore);
        Assert.False(plan.FellBackToEmbedded);
        Assert.Contains("Pegasus:ZooKeeper is None", plan.Reason, StringComparison.Ordinal);
        Assert.Equal([new ServicePorts(35601, 35701)], plan.Metas);
        Assert.Equal([new ServicePorts(35801, 35901), new ServicePorts(35802, 35902), new ServicePorts(35803, 35903)], plan.Replicas);
        Assert.Equal(Path.GetFullPath("/repo/.data/replica-1"), plan.DataDirectoryOf("replica-1"));
        Assert.Equal("http://127.0.0.1:35601", plan.AdvertisedAddress(plan.Metas[0].Grpc));
    }

    [Fact]
    public void Plan_EmbeddedStore_RunsOneMetaWithoutProbingForZooKeeper()
    {
        var plan = PegasusClusterPlan.Create(
            new PegasusClusterOptions { MetaStateStore = MetaStateStoreKind.Embedded, ContainerRuntime = "/nonexistent/bin/docker" },
            RepositoryRoot);

        Assert.Equal(ZooKeeperHosting.None, plan.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.Embedded, plan.StateStore);
        Assert.False(plan.FellBackToEmbedded);
        Assert.Single(plan.Metas);
        Assert.Contains("Pegasus:MetaStateStore is Embedded", plan.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00.500")]
    [InlineData("00:10:01")]
    public void Plan_ZooKeeperSessionTimeoutOutOfRange_IsRejected(string timeout)
    {
        var error = Assert.Throws<InvalidOperationException>(() => PegasusClusterPlan.Create(
            new PegasusClusterOptions { ZooKeeperSessionTimeout = TimeSpan.Parse(timeout, CultureInfo.InvariantCulture) }, RepositoryRoot));

        Assert.Contains("Pegasus:ZooKeeperSessionTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_FromConfiguration_ReadsLowerCaseModesAndNestedKeys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pegasus:ZooKeeper"] = "local",
            ["Pegasus:MetaStateStore"] = "zookeeper",
            ["Pegasus:ReplicaCount"] = "5",
            ["Pegasus:ZooKeeperSessionTimeout"] = "00:00:04",
            ["Pegasus:Ports:Base"] = "0",
            ["Pegasus:LocalZooKeeper:InstallPath"] = "/opt/zookeeper",
        }).Build();

        var options = PegasusClusterOptions.FromConfiguration(configuration);

        Assert.Equal(ZooKeeperMode.Local, options.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.ZooKeeper, options.MetaStateStore);
        Assert.Equal(5, options.ReplicaCount);
        Assert.Equal(TimeSpan.FromSeconds(4), options.ZooKeeperSessionTimeout);
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
            new PegasusClusterOptions { ZooKeeper = ZooKeeperMode.None, ReplicaCount = 5, Ports = { Base = 0 } }, RepositoryRoot);

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
                ContainerRuntime = "/nonexistent/bin/docker",
                LocalZooKeeper = { Java = "/nonexistent/bin/java" },
            },
            RepositoryRoot);

        Assert.True(plan.FellBackToEmbedded);
        Assert.Equal(ZooKeeperHosting.None, plan.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.Embedded, plan.StateStore);
        Assert.Single(plan.Metas);
        Assert.Contains("/nonexistent/bin/docker", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/bin/java", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_DefaultsWithoutContainerRuntime_ChooseTheLocalInstallAndTwoMetas()
    {
        LocalZooKeeperRequirement.Ensure();

        var plan = PegasusClusterPlan.Create(new PegasusClusterOptions { ContainerRuntime = "/nonexistent/bin/docker" }, RepositoryRoot);

        Assert.False(plan.FellBackToEmbedded);
        Assert.Equal(ZooKeeperHosting.Local, plan.ZooKeeper);
        Assert.Equal(MetaStateStoreKind.ZooKeeper, plan.StateStore);
        Assert.Equal([new ServicePorts(35601, 35701), new ServicePorts(35602, 35702)], plan.Metas);
        Assert.Equal(35600, plan.ZooKeeperPort);
        Assert.Equal(TimeSpan.FromSeconds(6), plan.ZooKeeperSessionTimeout);
        // The startup log line says why: Auto, no container runtime, a local install.
        Assert.Contains("Pegasus:ZooKeeper is Auto", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/bin/docker", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("local ZooKeeper install was found", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_LocalZooKeeper_RunsEveryMetaOnZooKeeper()
    {
        LocalZooKeeperRequirement.Ensure();

        var plan = PegasusClusterPlan.Create(
            new PegasusClusterOptions { ZooKeeper = ZooKeeperMode.Local, ZooKeeperSessionTimeout = TimeSpan.FromSeconds(5) },
            RepositoryRoot);

        Assert.Equal(ZooKeeperHosting.Local, plan.ZooKeeper);
        Assert.NotNull(plan.Installation);
        Assert.Equal(MetaStateStoreKind.ZooKeeper, plan.StateStore);
        Assert.Equal([new ServicePorts(35601, 35701), new ServicePorts(35602, 35702)], plan.Metas);
        Assert.Equal(35600, plan.ZooKeeperPort);
        Assert.Equal(TimeSpan.FromSeconds(5), plan.ZooKeeperSessionTimeout);
        Assert.Contains("Pegasus:ZooKeeper is Local", plan.Reason, StringComparison.Ordinal);
    }
}
