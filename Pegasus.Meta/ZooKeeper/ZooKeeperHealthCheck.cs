using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pegasus.ZooKeeper;

namespace Pegasus.Meta.ZooKeeper;

/// <summary>
/// Readiness in the ZooKeeper mode: ready while the meta server's ZooKeeper session is connected.
/// Leader and standby alike: a connected standby is ready to take over.
/// </summary>
/// <param name="connection">The meta server's ZooKeeper session.</param>
public sealed class ZooKeeperHealthCheck(MetaZooKeeperConnection connection) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = connection.Current;
        var result = client is { State: ZooKeeperConnectionState.Connected }
            ? HealthCheckResult.Healthy($"Connected to ZooKeeper {client.ConnectedServer} (session 0x{client.SessionId:x}).")
            : HealthCheckResult.Unhealthy($"The ZooKeeper session is {connection.State}.");
        return Task.FromResult(result);
    }
}
