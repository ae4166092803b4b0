using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pegasus.Meta.Admin;
using Pegasus.Meta.Balancing;
using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.FailureDetection;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Options;
using Pegasus.Meta.Reconfiguration;
using Pegasus.Meta.State;
using Pegasus.Meta.Tables;

namespace Pegasus.Meta;

/// <summary>Registers the meta server: options, state store and leadership, tables, failure detection, reconfiguration and balancing, gRPC, admin JSON.</summary>
public static class MetaHostingExtensions
{
    /// <summary>Adds the meta server's services, with the state store chosen by <c>Meta:StateStore</c>.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configureOptions">Further configuration of <see cref="MetaOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddMetaServer(
        this IHostApplicationBuilder builder,
        Action<OptionsBuilder<MetaOptions>>? configureOptions = null)
    {
        var options = builder.Services.AddOptions<MetaOptions>().BindConfiguration(MetaOptions.SectionName).ValidateOnStart();
        configureOptions?.Invoke(options);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetaOptions>, MetaOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<MetaOptions>, MetaOptionsDefaults>());

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<MetaInstruments>();
        builder.Services.TryAddSingleton<NodeRegistry>();
        builder.Services.TryAddSingleton<TableManager>();
        builder.Services.TryAddSingleton<AdminForwarder>();
        builder.Services.AddOpenApi(AdminApi.OpenApiDocumentName, openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Pegasus meta admin API";
            document.Info.Description = "Tables, nodes, cluster and rebalancing. Any meta server answers: a standby forwards to the leader.";
            return Task.CompletedTask;
        }));
        AddStateStoreAndLeadership(builder);

        builder.Services.AddHostedService<MetaLeadershipCoordinator>();
        builder.Services.AddHostedService<NodeLivenessMonitor>();
        builder.Services.AddHostedService<PartitionGuardian>();
        builder.Services.TryAddSingleton<Rebalancer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Rebalancer>());
        builder.Services.AddHealthChecks().AddCheck<MetaStateHealthCheck>("meta-state");
        builder.Services.AddGrpc();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJson.Context));
        return builder;
    }

    /// <summary>
    /// The one place the state store and leadership are chosen. Embedded: a file store and a meta
    /// server that always leads. ZooKeeper: the state in ZooKeeper and a leader elected among the meta
    /// servers of the cluster (see <see cref="ZooKeeperCoordinationHostingExtensions.AddZooKeeperCoordination"/>).
    /// </summary>
    private static void AddStateStoreAndLeadership(IHostApplicationBuilder builder)
    {
        // An unparsable value falls through to the embedded registrations; options validation then reports it.
        var configured = builder.Configuration[$"{MetaOptions.SectionName}:{nameof(MetaOptions.StateStore)}"];
        var kind = Enum.TryParse<MetaStateStoreKind>(configured, ignoreCase: true, out var parsed) ? parsed : MetaStateStoreKind.Embedded;
        switch (kind)
        {
            case MetaStateStoreKind.ZooKeeper:
                builder.AddZooKeeperCoordination();
                break;
            default:
                builder.Services.TryAddSingleton<EmbeddedMetaStateStore>();
                builder.Services.TryAddSingleton<IMetaStateStore>(services => services.GetRequiredService<EmbeddedMetaStateStore>());
                builder.Services.TryAddSingleton<IMetaLeadership, EmbeddedLeadership>();
                break;
        }
    }
}
