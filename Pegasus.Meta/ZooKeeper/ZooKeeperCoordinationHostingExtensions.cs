using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Leadership.ZooKeeper;
using Pegasus.Meta.Options;
using Pegasus.Meta.State;
using Pegasus.Meta.State.ZooKeeper;
using Pegasus.Meta.ZooKeeper;
using Pegasus.ZooKeeper;

namespace Pegasus.Meta;

/// <summary>Registers ZooKeeper as the meta server's state store and leader election (the high-availability mode).</summary>
public static class ZooKeeperCoordinationHostingExtensions
{
    /// <summary>
    /// Keeps the cluster state in ZooKeeper under <c>/pegasus/&lt;Meta:ClusterName&gt;</c> and elects one
    /// leader among the meta servers of that cluster; the others stand by. Reads the <c>ZooKeeper</c>
    /// section (<see cref="ZooKeeperCoordinationOptions"/>: <c>ConnectionString</c> required,
    /// <c>SessionTimeout</c>), validated at startup, and adds a <c>zookeeper</c> readiness check.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configureOptions">Further configuration of the ZooKeeper options.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddZooKeeperCoordination(
        this IHostApplicationBuilder builder,
        Action<OptionsBuilder<ZooKeeperCoordinationOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<ZooKeeperCoordinationOptions>()
            .BindConfiguration(ZooKeeperCoordinationOptions.SectionName)
            .ValidateOnStart();
        configureOptions?.Invoke(options);
        builder.Services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<ZooKeeperCoordinationOptions>, ZooKeeperCoordinationOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ZooKeeperCoordinationOptions>, TimingRuleValidator>());

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new MetaZooKeeperConnection(
            provider.GetRequiredService<IOptions<ZooKeeperCoordinationOptions>>(),
            provider.GetRequiredService<ILogger<ZooKeeperClient>>(),
            provider.GetRequiredService<ILogger<MetaZooKeeperConnection>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ZooKeeperLeadership>();
        services.TryAddSingleton<IMetaLeadership>(provider => provider.GetRequiredService<ZooKeeperLeadership>());
        services.TryAddSingleton<IZooKeeperWriteFence>(provider => provider.GetRequiredService<ZooKeeperLeadership>());
        services.TryAddSingleton(provider => new ZooKeeperMetaStateStore(
            provider.GetRequiredService<MetaZooKeeperConnection>(),
            provider.GetRequiredService<IOptions<MetaOptions>>(),
            provider.GetRequiredService<IZooKeeperWriteFence>(),
            provider.GetRequiredService<ILogger<ZooKeeperMetaStateStore>>()));
        services.TryAddSingleton<IMetaStateStore>(provider => provider.GetRequiredService<ZooKeeperMetaStateStore>());

        // The election runs as a hosted service; stopping it deletes this server's node so a standby takes over at once.
        services.AddHostedService(provider => provider.GetRequiredService<ZooKeeperLeadership>());
        services.AddHealthChecks().AddCheck<ZooKeeperHealthCheck>("zookeeper");
        return builder;
    }
}
