using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pegasus.Meta.Tables;

namespace Pegasus.Meta.Leadership;

/// <summary>Ready when this meta server can answer: a standby always, a leader once its state is loaded.</summary>
/// <param name="leadership">Leadership.</param>
/// <param name="tables">The table manager.</param>
public sealed class MetaStateHealthCheck(IMetaLeadership leadership, TableManager tables) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(
            !leadership.IsLeader ? HealthCheckResult.Healthy("Standby; the leader is " + (leadership.Leader?.HttpAddress ?? "unknown") + ".")
            : tables.IsLoaded ? HealthCheckResult.Healthy("Leader with the cluster state loaded.")
            : HealthCheckResult.Unhealthy("Leader, but the cluster state is not loaded."));
}
