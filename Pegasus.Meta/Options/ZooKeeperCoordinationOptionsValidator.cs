using Microsoft.Extensions.Options;

namespace Pegasus.Meta.Options;

/// <summary>Checks <see cref="ZooKeeperCoordinationOptions"/> and reports every problem at once.</summary>
public sealed class ZooKeeperCoordinationOptionsValidator : IValidateOptions<ZooKeeperCoordinationOptions>
{
    private static readonly TimeSpan MinSessionTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxSessionTimeout = TimeSpan.FromMinutes(10);

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ZooKeeperCoordinationOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("ZooKeeper:ConnectionString is required when Meta:StateStore is ZooKeeper (e.g. '127.0.0.1:2181').");
        }
        else
        {
            // The client's own rules (host:port list, optional chroot) decide what parses.
            errors.AddRange(options.ToClientOptions().Validate()
                .Where(error => error.StartsWith("ConnectionString", StringComparison.Ordinal))
                .Select(error => $"ZooKeeper:{error} (was '{options.ConnectionString}')"));
        }

        if (options.SessionTimeout < MinSessionTimeout || options.SessionTimeout > MaxSessionTimeout)
        {
            errors.Add($"ZooKeeper:SessionTimeout must be from {MinSessionTimeout} to {MaxSessionTimeout} (was {options.SessionTimeout}).");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"ZooKeeper:ConnectTimeout must be positive (was {options.ConnectTimeout}).");
        }

        if (options.LeaderRefreshInterval <= TimeSpan.Zero)
        {
            errors.Add($"ZooKeeper:LeaderRefreshInterval must be positive (was {options.LeaderRefreshInterval}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
