using Microsoft.Extensions.Options;

namespace Pegasus.Meta.Options;

/// <summary>
/// The one timing rule of failure detection (DESIGN invariants 4 and 5), checked at start-up:
/// <c>ZooKeeper session timeout &lt; replica lease &lt; meta grace period</c>. The lease is granted by the meta
/// (<see cref="MetaOptions.ReplicaLease"/>, a fixed share of <see cref="MetaOptions.ReplicaGracePeriod"/>), so
/// lease &lt; grace holds by construction; a session timeout at or above the lease would let replica servers' leases
/// run out while a standby meta takes over from a crashed leader, stopping the whole cluster for a meta failover.
/// </summary>
/// <param name="metaOptions">The meta options (grace period, and the lease derived from it).</param>
public sealed class TimingRuleValidator(IOptions<MetaOptions> metaOptions) : IValidateOptions<ZooKeeperCoordinationOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ZooKeeperCoordinationOptions options)
    {
        var meta = metaOptions.Value;
        if (options.SessionTimeout > TimeSpan.Zero && options.SessionTimeout >= meta.ReplicaLease)
        {
            return ValidateOptionsResult.Fail(
                $"Timing rule broken: ZooKeeper session timeout < replica lease < meta grace period. "
                + $"{ZooKeeperCoordinationOptions.SectionName}:{nameof(ZooKeeperCoordinationOptions.SessionTimeout)} is {options.SessionTimeout}, "
                + $"not below the replica lease {meta.ReplicaLease} ({MetaOptions.LeaseFraction:P0} of "
                + $"{MetaOptions.SectionName}:{nameof(MetaOptions.ReplicaGracePeriod)} {meta.ReplicaGracePeriod}). "
                + "Lower the session timeout or raise the grace period.");
        }

        return ValidateOptionsResult.Success;
    }
}
