using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pegasus.Replica.FailureDetection;

/// <summary>
/// Readiness: healthy while the node holds a lease from the meta leader, i.e. it is registered
/// and may serve. Tagged <c>ready</c> only, so <c>/alive</c> stays up while the meta is away.
/// </summary>
public sealed class MetaRegistrationHealthCheck(ReplicaLease lease) : IHealthCheck
{
    /// <summary>The name the check is registered under.</summary>
    public const string Name = "meta-registration";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var sinceRenewal = lease.TimeSinceLastRenewal;
        var result = lease.IsValid
            ? HealthCheckResult.Healthy($"Registered with the meta leader; last accepted beacon sent {sinceRenewal} ago.")
            : HealthCheckResult.Unhealthy(sinceRenewal is null
                ? "Not registered with the meta leader yet."
                : $"Lease with the meta leader expired; last accepted beacon sent {sinceRenewal} ago.");
        return Task.FromResult(result);
    }
}
