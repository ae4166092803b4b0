using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.FailureDetection;
using Pegasus.Replica.Grpc;
using Pegasus.Replica.Replication;
using Pegasus.Replica.Replication.Peers;
using Pegasus.Replica.Storage;

namespace Pegasus.Replica.Hosting;

/// <summary>Registers the replica server: options, replicas, meta beacons, the data service and its health check.</summary>
public static class ReplicaHostingExtensions
{
    /// <summary>Adds the replica server's services to <paramref name="builder"/>.</summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The host builder.</param>
    /// <param name="configureOptions">Further configures the <see cref="ReplicaOptions"/>, bound from <c>Replica</c>.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddReplicaServer<TBuilder>(
        this TBuilder builder, Action<OptionsBuilder<ReplicaOptions>>? configureOptions = null)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddGrpc(options =>
        {
            // Far above any write (Replica:MaxAllowedWriteSize) and any batch either side builds: a message over
            // the limit would fail the shared data stream and every request on it (see DataStreamLimits).
            options.MaxReceiveMessageSize = DataStreamLimits.MaxMessageBytes;
            options.MaxSendMessageSize = DataStreamLimits.MaxMessageBytes;
        });

        var replicaOptions = services.AddOptions<ReplicaOptions>()
            .BindConfiguration(ReplicaOptions.SectionName)
            .PostConfigure<IConfiguration>(DefaultAdvertisedAddress)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReplicaOptions>, ReplicaOptionsValidator>());
        configureOptions?.Invoke(replicaOptions);

        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ReplicaInstruments>();
        services.TryAddSingleton<ReplicaLease>();
        services.TryAddSingleton<MetaChannelPool>();
        services.TryAddSingleton<RequestDispatcher>();
        services.TryAddSingleton(provider => new PeerStreamPool(
            provider.GetRequiredService<IOptions<ReplicaOptions>>().Value.BeaconTimeout,
            provider.GetRequiredService<ILogger<PeerStreamPool>>()));
        services.TryAddSingleton<IConfigurationProposer, MetaConfigurationProposer>();
        services.TryAddSingleton<ReplicaManager>();

        // Hosted services stop in reverse order: beacons stop first, then the replicas close.
        services.AddHostedService(provider => provider.GetRequiredService<ReplicaManager>());
        services.AddHostedService<MetaBeaconService>();

        services.AddHealthChecks()
            .AddCheck<MetaRegistrationHealthCheck>(MetaRegistrationHealthCheck.Name, tags: ["ready"]);
        return builder;
    }

    private static void DefaultAdvertisedAddress(ReplicaOptions options, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(options.AdvertisedAddress)
            && configuration.GetValue<int?>("Ports:Grpc") is { } grpcPort)
        {
            options.AdvertisedAddress = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{grpcPort}");
        }

        // The address is the node's identity: one spelling everywhere.
        options.AdvertisedAddress = options.AdvertisedAddress.Trim().TrimEnd('/');
    }
}
