using Microsoft.Extensions.Options;
using Pegasus.Protocol.Data;

namespace Pegasus.Replica.Hosting;

/// <summary>Checks <see cref="ReplicaOptions"/> and reports every problem at once.</summary>
public sealed class ReplicaOptionsValidator : IValidateOptions<ReplicaOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ReplicaOptions options)
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("Replica:DataDirectory is required.");
        }

        var metas = options.GetMetaServerAddresses();
        if (metas.Count == 0)
        {
            errors.Add("Replica:MetaServers is required (comma-separated meta gRPC addresses).");
        }

        foreach (var meta in metas)
        {
            if (!IsHttpAddress(meta))
            {
                errors.Add($"Replica:MetaServers entry '{meta}' is not an absolute http(s) address.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.AdvertisedAddress))
        {
            errors.Add("Replica:AdvertisedAddress is required when Ports:Grpc is not set.");
        }
        else if (!IsHttpAddress(options.AdvertisedAddress))
        {
            errors.Add($"Replica:AdvertisedAddress '{options.AdvertisedAddress}' is not an absolute http(s) address.");
        }

        if (options.BeaconInterval <= TimeSpan.Zero)
        {
            errors.Add("Replica:BeaconInterval must be positive.");
        }

        if (options.BeaconTimeout <= TimeSpan.Zero)
        {
            errors.Add("Replica:BeaconTimeout must be positive.");
        }

        // A lease no longer than one beacon interval would lapse between two healthy beacons.
        if (options.LeaseTimeout <= options.BeaconInterval)
        {
            errors.Add("Replica:LeaseTimeout must be longer than Replica:BeaconInterval.");
        }

        if (options.PrepareTimeout <= TimeSpan.Zero)
        {
            errors.Add("Replica:PrepareTimeout must be positive.");
        }

        if (!Enum.IsDefined(options.LogFlushMode))
        {
            errors.Add($"Replica:LogFlushMode must be Interval or Always (was '{options.LogFlushMode}').");
        }

        if (options.LogFsyncInterval <= TimeSpan.Zero)
        {
            errors.Add("Replica:LogFsyncInterval must be positive.");
        }

        if (options.LogRetainedDecrees < 0)
        {
            errors.Add("Replica:LogRetainedDecrees must not be negative.");
        }

        if (options.RemovedReplicaRetention < TimeSpan.Zero)
        {
            errors.Add("Replica:RemovedReplicaRetention must not be negative.");
        }

        if (options.WriteSessionLifetime <= TimeSpan.Zero)
        {
            errors.Add("Replica:WriteSessionLifetime must be positive.");
        }

        if (options.ExpiredSweepInterval <= TimeSpan.Zero)
        {
            errors.Add("Replica:ExpiredSweepInterval must be positive.");
        }

        if (options.ExpiredSweepBatchSize <= 0)
        {
            errors.Add("Replica:ExpiredSweepBatchSize must be positive.");
        }

        if (options.WriteQueueCapacity <= 0)
        {
            errors.Add("Replica:WriteQueueCapacity must be positive.");
        }

        if (options.MaxWriteBatchSize <= 0)
        {
            errors.Add("Replica:MaxWriteBatchSize must be positive.");
        }

        // Bounded so that a write of the limit, sent alone, fits one data stream message with room to spare.
        if (options.MaxAllowedWriteSize < 0 || options.MaxAllowedWriteSize > DataStreamLimits.MaxWriteSizeLimit)
        {
            errors.Add($"Replica:MaxAllowedWriteSize must be between 0 (no check) and {DataStreamLimits.MaxWriteSizeLimit}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttpAddress(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
