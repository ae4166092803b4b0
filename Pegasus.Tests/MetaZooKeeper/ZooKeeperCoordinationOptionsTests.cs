using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pegasus.Meta;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Leadership.ZooKeeper;
using Pegasus.Meta.Options;
using Pegasus.Meta.State;
using Pegasus.Meta.State.ZooKeeper;

namespace Pegasus.Tests.MetaZooKeeper;

public sealed class ZooKeeperCoordinationOptionsTests
{
    [Fact]
    public void Validate_Defaults_RequireOnlyTheConnectionString()
    {
        var options = new ZooKeeperCoordinationOptions();

        var result = new ZooKeeperCoordinationOptionsValidator().Validate(null, options);

        Assert.Equal(TimeSpan.FromSeconds(6), options.SessionTimeout);
        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains("ZooKeeper:ConnectionString is required", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsEveryProblemAtOnce()
    {
        var options = new ZooKeeperCoordinationOptions
        {
            ConnectionString = "host:notaport",
            SessionTimeout = TimeSpan.FromMilliseconds(200),
            ConnectTimeout = TimeSpan.Zero,
            LeaderRefreshInterval = TimeSpan.FromSeconds(-1),
        };

        var failures = new ZooKeeperCoordinationOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("ZooKeeper:ConnectionString", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ZooKeeper:SessionTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ZooKeeper:ConnectTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ZooKeeper:LeaderRefreshInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AnEnsembleWithChroot_IsValid()
    {
        var options = new ZooKeeperCoordinationOptions { ConnectionString = "zk1:2181,zk2:2181,zk3/pegasus-root", SessionTimeout = TimeSpan.FromSeconds(5) };

        Assert.True(new ZooKeeperCoordinationOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("/pegasus/prod", ZooKeeperCoordinationOptions.ClusterRoot("prod"));
    }

    [Fact]
    public async Task AddMetaServer_ZooKeeperMode_WiresTheZooKeeperStoreAndElection()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ports:Grpc"] = "35601",
            ["Ports:Http"] = "35701",
            ["Meta:StateStore"] = "ZooKeeper",
            ["Meta:ClusterName"] = "wiring",
            ["ZooKeeper:ConnectionString"] = "127.0.0.1:1",
            ["ZooKeeper:SessionTimeout"] = "00:00:04",
        });
        builder.AddMetaServer();
        await using var services = (ServiceProvider)builder.Services.BuildServiceProvider();

        var leadership = services.GetRequiredService<IMetaLeadership>();

        Assert.IsType<ZooKeeperLeadership>(leadership);
        Assert.Same(leadership, services.GetRequiredService<IZooKeeperWriteFence>());
        Assert.Equal("/pegasus/wiring", Assert.IsType<ZooKeeperMetaStateStore>(services.GetRequiredService<IMetaStateStore>()).ClusterRoot);
        Assert.Equal(TimeSpan.FromSeconds(4), services.GetRequiredService<IOptions<ZooKeeperCoordinationOptions>>().Value.SessionTimeout);
        Assert.Contains(services.GetServices<IHostedService>(), service => ReferenceEquals(service, leadership));
        Assert.False(leadership.IsLeader);
    }
}
