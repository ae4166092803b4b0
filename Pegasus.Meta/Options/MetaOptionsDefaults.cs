using Microsoft.Extensions.Options;

namespace Pegasus.Meta.Options;

/// <summary>Fills the advertised addresses from the listener ports when they are not configured.</summary>
public sealed class MetaOptionsDefaults(IConfiguration configuration) : IPostConfigureOptions<MetaOptions>
{
    /// <inheritdoc/>
    public void PostConfigure(string? name, MetaOptions options)
    {
        options.AdvertisedGrpcAddress ??= LoopbackAddress(configuration.GetValue<int?>("Ports:Grpc"));
        options.AdvertisedHttpAddress ??= LoopbackAddress(configuration.GetValue<int?>("Ports:Http"));
    }

    private static string? LoopbackAddress(int? port) => port is { } p ? $"http://127.0.0.1:{p}" : null;
}
