using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pegasus.AppHost.ZooKeeper;

/// <summary>
/// Asks ZooKeeper the <c>srvr</c> four-letter word (whitelisted by default since 3.5). A server
/// that accepts TCP but has not finished loading its database answers "not currently serving
/// requests" instead of a <c>Mode:</c> line, so only a serving server counts as healthy.
/// </summary>
/// <param name="resource">The ZooKeeper resource; its endpoint is allocated by the time checks run.</param>
internal sealed class ZooKeeperHealthCheck(IZooKeeperResource resource) : IHealthCheck
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var port = resource.PrimaryEndpoint.Port;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("srvr"u8.ToArray(), timeout.Token).ConfigureAwait(false);

            // ZooKeeper closes the connection after answering a four-letter word.
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var reply = await reader.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            var mode = reply.Split('\n').FirstOrDefault(line => line.StartsWith("Mode:", StringComparison.Ordinal));
            return mode is null
                ? HealthCheckResult.Unhealthy($"ZooKeeper on port {port} is not serving: {reply.Trim()}")
                : HealthCheckResult.Healthy($"ZooKeeper on port {port}: {mode.Trim()}");
        }
        catch (Exception exception) when (exception is SocketException or IOException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy($"ZooKeeper on port {port} did not answer 'srvr'", exception);
        }
    }
}
