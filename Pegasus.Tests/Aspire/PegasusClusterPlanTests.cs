using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Pegasus.AppHost;
using Pegasus.AppHost.ZooKeeper;

namespace Pegasus.Tests.Aspire;

/// <summary>
/// How the AppHost turns its configuration into a cluster shape, without starting anything. The
/// container mode is reached with a stub container CLI, so no container engine is needed.
/// </summary>
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

    [Fact]
    public void Plan_AutoWithAContainerRuntimeAnswering_RunsZooKeeperInAContainerWithTwoMetas()
    {
        using var runtime = StubExecutable.ContainerRuntime(answers: true);

        // No java either, so only the container can be why this plan has ZooKeeper.
        var plan = PegasusClusterPlan.Create(
            new PegasusClusterOptions { ContainerRuntime = runtime.Path, LocalZooKeeper = { Java = "/nonexistent/bin/java" } },
            RepositoryRoot);

        Assert.Equal(ZooKeeperHosting.Container, plan.ZooKeeper);
        Assert.Null(plan.Installation);
        Assert.Equal(MetaStateStoreKind.ZooKeeper, plan.StateStore);
        Assert.False(plan.FellBackToEmbedded);
        Assert.Equal([new ServicePorts(35601, 35701), new ServicePorts(35602, 35702)], plan.Metas);
        Assert.Equal(35600, plan.ZooKeeperPort);
        Assert.Equal(Path.GetFullPath("/repo/.data/zk"), plan.DataDirectoryOf("zk"));
        Assert.Contains("Pegasus:ZooKeeper is Auto and a container runtime answers", plan.Reason, StringComparison.Ordinal);
        // The probe's answer (the server version) is in the startup log line.
        Assert.Contains(StubExecutable.ServerVersion, plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AutoWithAContainerRuntimeFailing_FallsBackToTheLocalInstall()
    {
        using var runtime = StubExecutable.ContainerRuntime(answers: false);
        using var install = StubExecutable.LocalZooKeeperInstall();

        var plan = PegasusClusterPlan.Create(
            new PegasusClusterOptions { ContainerRuntime = runtime.Path, LocalZooKeeper = { Java = install.Path, ClassPath = install.ZooKeeperJar } },
            RepositoryRoot);

        Assert.Equal(ZooKeeperHosting.Local, plan.ZooKeeper);
        Assert.Equal(new ZooKeeperInstallation(install.Path, install.ZooKeeperJar), plan.Installation);
        Assert.Equal(MetaStateStoreKind.ZooKeeper, plan.StateStore);
        Assert.False(plan.FellBackToEmbedded);
        Assert.Equal(2, plan.Metas.Count);
        Assert.Contains("no container runtime answers", plan.Reason, StringComparison.Ordinal);
        Assert.Contains(StubExecutable.DaemonDownMessage, plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ExplicitContainerWithAContainerRuntimeFailing_IsRejectedWithTheReason()
    {
        using var runtime = StubExecutable.ContainerRuntime(answers: false);

        var error = Assert.Throws<InvalidOperationException>(() => PegasusClusterPlan.Create(
            new PegasusClusterOptions { ZooKeeper = ZooKeeperMode.Container, ContainerRuntime = runtime.Path }, RepositoryRoot));

        Assert.Contains("Pegasus:ZooKeeper is Container", error.Message, StringComparison.Ordinal);
        Assert.Contains(StubExecutable.DaemonDownMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppHost_ContainerMode_AddsTheZooKeeperContainerAndPointsEveryMetaAtIt()
    {
        using var runtime = StubExecutable.ContainerRuntime(answers: true);
        var cancellationToken = TestContext.Current.CancellationToken;
        var dataRoot = Directory.CreateTempSubdirectory("pegasus-apphost-model-").FullName;
        try
        {
            // Built, never started: the stub answers the probe but could not run a container.
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Pegasus_AppHost>(
                ["--Pegasus:ZooKeeper=Container", $"--Pegasus:ContainerRuntime={runtime.Path}", "--Pegasus:Ports:Base=0", $"--Pegasus:DataRoot={dataRoot}"],
                cancellationToken);

            var zk = Assert.IsType<ZooKeeperResource>(Assert.Single(builder.Resources, r => r.Name == "zk"));
            var image = Assert.Single(zk.Annotations.OfType<ContainerImageAnnotation>());
            Assert.Equal(("docker.io", "library/zookeeper", "3.8"), (image.Registry, image.Image, image.Tag));
            var endpoint = Assert.Single(zk.Annotations.OfType<EndpointAnnotation>());
            Assert.Equal(2181, endpoint.TargetPort);
            Assert.NotNull(endpoint.Port);
            Assert.False(endpoint.IsProxied);
            var mount = Assert.Single(zk.Annotations.OfType<ContainerMountAnnotation>());
            Assert.Equal((Path.Combine(dataRoot, "zk"), "/data"), (mount.Source, mount.Target));
            Assert.True(Directory.Exists(mount.Source));
            var zkEnvironment = await AppHostZooKeeperWiringTests.EnvironmentOfAsync(zk);
            Assert.Equal("false", zkEnvironment["ZOO_ADMINSERVER_ENABLED"]);

            var metas = builder.Resources.OfType<ProjectResource>().Where(r => r.Name.StartsWith("meta-", StringComparison.Ordinal)).ToArray();
            Assert.Equal(["meta-0", "meta-1"], metas.Select(meta => meta.Name).Order(StringComparer.Ordinal));
            foreach (var meta in metas)
            {
                Assert.Contains(meta.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource == zk);
                var environment = await AppHostZooKeeperWiringTests.EnvironmentOfAsync(meta);
                Assert.Equal("ZooKeeper", environment["Meta__StateStore"]);
                Assert.Equal("00:00:06", environment["ZooKeeper__SessionTimeout"]);
                var connectionString = Assert.IsType<ReferenceExpression>(environment["ZooKeeper__ConnectionString"]);
                Assert.Equal("127.0.0.1:{0}", connectionString.Format);
                var port = Assert.IsType<EndpointReferenceExpression>(Assert.Single(connectionString.ValueProviders));
                Assert.Same(zk, port.Endpoint.Resource);
            }
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }

    /// <summary>Stand-ins for <c>docker</c> and <c>java</c> in a temporary directory, deleted on dispose.</summary>
    private sealed class StubExecutable : IDisposable
    {
        public const string ServerVersion = "27.5.1-stub";

        public const string DaemonDownMessage = "Cannot connect to the Docker daemon (stub)";

        private readonly string _directory;

        private StubExecutable(string name, string script)
        {
            Assert.SkipWhen(OperatingSystem.IsWindows(), "The stub executables are shell scripts.");
            _directory = Directory.CreateTempSubdirectory("pegasus-stub-").FullName;
            Path = System.IO.Path.Combine(_directory, name);
            File.WriteAllText(Path, "#!/bin/sh\n" + script);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        public string Path { get; }

        /// <summary>An (empty) <c>zookeeper-*.jar</c> next to the stub, for a class path the plan accepts.</summary>
        public string ZooKeeperJar => System.IO.Path.Combine(_directory, "zookeeper-3.8.4.jar");

        /// <summary>
        /// A container CLI that answers <c>info</c> (what <c>ContainerRuntimeProbe</c> runs) with a
        /// server version, or fails it like a client whose daemon is down.
        /// </summary>
        public static StubExecutable ContainerRuntime(bool answers) => new(
            "docker",
            answers
                ? $"if [ \"$1\" = info ]; then echo {ServerVersion}; exit 0; fi\necho \"unexpected: $*\" >&2\nexit 64\n"
                : $"echo \"{DaemonDownMessage}\" >&2\nexit 1\n");

        /// <summary>A <c>java</c> that is never run (the plan only locates it) and a ZooKeeper jar beside it.</summary>
        public static StubExecutable LocalZooKeeperInstall()
        {
            var stub = new StubExecutable("java", "exit 1\n");
            File.WriteAllBytes(stub.ZooKeeperJar, []);
            return stub;
        }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
