using Microsoft.Extensions.Options;

namespace Pegasus.Meta.Options;

/// <summary>Checks <see cref="MetaOptions"/> and reports every problem at once, not just the first.</summary>
public sealed class MetaOptionsValidator : IValidateOptions<MetaOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, MetaOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.StateStore))
        {
            errors.Add($"Meta:StateStore must be Embedded or ZooKeeper (was '{options.StateStore}').");
        }

        if (options.StateStore == MetaStateStoreKind.Embedded && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("Meta:DataDirectory is required with the embedded state store.");
        }

        // The cluster name becomes a ZooKeeper path segment, so it follows the table name alphabet minus ':' and '.'.
        if (string.IsNullOrEmpty(options.ClusterName)
            || options.ClusterName.Length > 64
            || !options.ClusterName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            errors.Add($"Meta:ClusterName must be 1..64 characters of [A-Za-z0-9_-] (was '{options.ClusterName}').");
        }

        ValidateAddress(errors, "Meta:AdvertisedGrpcAddress", options.AdvertisedGrpcAddress, "Ports:Grpc");
        ValidateAddress(errors, "Meta:AdvertisedHttpAddress", options.AdvertisedHttpAddress, "Ports:Http");

        if (options.ReplicaGracePeriod <= TimeSpan.Zero)
        {
            errors.Add($"Meta:ReplicaGracePeriod must be positive (was {options.ReplicaGracePeriod}).");
        }

        if (options.ReconfigurationInterval <= TimeSpan.Zero)
        {
            errors.Add($"Meta:ReconfigurationInterval must be positive (was {options.ReconfigurationInterval}).");
        }

        if (options.MaxConcurrentLearners < 1)
        {
            errors.Add($"Meta:MaxConcurrentLearners must be at least 1 (was {options.MaxConcurrentLearners}).");
        }

        if (options.RebalanceInterval <= TimeSpan.Zero)
        {
            errors.Add($"Meta:RebalanceInterval must be positive (was {options.RebalanceInterval}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateAddress(List<string> errors, string key, string? value, string portKey)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add($"{key} is required when {portKey} is not configured.");
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add($"{key} must be an absolute http(s) URL (was '{value}').");
        }
    }
}
