using Grpc.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Hosting;
using Pegasus.Replica.Replication;

namespace Pegasus.Replica.FailureDetection;

/// <summary>
/// Beacons the meta leader every <see cref="ReplicaOptions.BeaconInterval"/> with this node's
/// address and replicas, renews the lease from each accepted beacon, and applies the assignments
/// in the answer. The last known leader is tried first, then every configured meta server; a
/// standby's <see cref="ErrorCode.ForwardToOthers"/> names the leader to try next.
/// </summary>
public sealed partial class MetaBeaconService(
    IOptions<ReplicaOptions> options,
    ReplicaManager replicas,
    ReplicaLease lease,
    MetaChannelPool channels,
    TimeProvider timeProvider,
    ReplicaInstruments instruments,
    ILogger<MetaBeaconService> logger) : BackgroundService
{
    // A standby may name a leader that itself moved on; a few hops cover a leader change.
    private const int MaxRedirects = 3;

    // A warning per failed round would flood the log while the meta is down; one per this many.
    private const int FailureLogEvery = 30;

    private readonly ReplicaOptions _options = options.Value;
    private readonly IReadOnlyList<string> _metaServers =
        [.. options.Value.GetMetaServerAddresses().Select(MetaChannelPool.NormalizeAddress)];

    private string? _leader;
    private int _consecutiveFailures;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.BeaconInterval, timeProvider);
        Task<bool>? tick = null;
        Task? refresh = null;
        try
        {
            while (true)
            {
                await BeaconRoundAsync(stoppingToken).ConfigureAwait(false);
                lease.CheckExpiry();

                // The next round at the next tick, or at once when a replica saw a ballot newer than its configuration.
                // Both waits outlive a round the other one started, so neither a tick nor a request is lost.
                tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
                refresh ??= replicas.WaitForRefreshRequestAsync(stoppingToken);
                if (await Task.WhenAny(tick, refresh).ConfigureAwait(false) == tick)
                {
                    if (!await tick.ConfigureAwait(false))
                    {
                        return;
                    }

                    tick = null;
                }
                else
                {
                    await refresh.ConfigureAwait(false);
                    refresh = null;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>Sends one beacon, trying meta servers until one leader accepts it.</summary>
    /// <param name="cancellationToken">Stops the round.</param>
    /// <returns>Whether a meta leader accepted the beacon.</returns>
    internal async Task<bool> BeaconRoundAsync(CancellationToken cancellationToken)
    {
        var request = new BeaconRequest { NodeAddress = _options.AdvertisedAddress };
        request.Replicas.AddRange(replicas.GetReplicaStates());

        List<string> candidates = [];
        if (_leader is { } leader)
        {
            candidates.Add(leader);
        }

        candidates.AddRange(_metaServers);
        var tried = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var redirects = 0;
        var rejected = false;
        while (candidates.Count > 0)
        {
            var address = candidates[0];
            candidates.RemoveAt(0);
            if (!tried.Add(address))
            {
                continue;
            }

            var sentAt = timeProvider.GetTimestamp();
            var response = await TrySendAsync(address, request, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                continue;
            }

            if (response.Error == ErrorCode.Ok)
            {
                Accepted(address, sentAt, response);
                return true;
            }

            rejected = true;
            if (response.Error == ErrorCode.ForwardToOthers
                && !string.IsNullOrWhiteSpace(response.LeaderAddress)
                && redirects++ < MaxRedirects)
            {
                var redirect = MetaChannelPool.NormalizeAddress(response.LeaderAddress);
                LogDebugBeaconRedirected(logger, address, redirect);
                candidates.Insert(0, redirect);
                continue;
            }

            LogDebugBeaconRejected(logger, address, response.Error, response.ErrorMessage);
        }

        _leader = null;
        instruments.BeaconCompleted(rejected ? "rejected" : "unreachable");
        if (_consecutiveFailures++ % FailureLogEvery == 0)
        {
            LogWarningNoMetaReachable(logger, string.Join(',', tried), _consecutiveFailures);
        }

        return false;
    }

    private async Task<BeaconResponse?> TrySendAsync(string address, BeaconRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // A trace per beacon every second would bury the data path's traces.
            using var suppress = SuppressInstrumentationScope.Begin();
            return await channels.GetClient(address)
                .BeaconAsync(
                    request,
                    deadline: timeProvider.GetUtcNow().UtcDateTime + _options.BeaconTimeout,
                    cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogDebugBeaconFailed(logger, exception, address, exception.StatusCode);
            return null;
        }
    }

    private void Accepted(string address, long sentAt, BeaconResponse response)
    {
        _leader = address;
        _consecutiveFailures = 0;
        lease.Renew(sentAt, TimeSpan.FromMilliseconds(response.LeaseMilliseconds));
        instruments.BeaconCompleted("ok");
        replicas.ApplyAssignments(response.Assignments, response.DroppedAppIds);
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.BeaconFailed, Level = LogLevel.Debug,
        Message = "Beacon to meta server {Address} failed with {StatusCode}")]
    private static partial void LogDebugBeaconFailed(ILogger logger, Exception exception, string address, StatusCode statusCode);

    [LoggerMessage(EventId = (int)ReplicaEventId.BeaconRedirected, Level = LogLevel.Debug,
        Message = "Meta server {Address} is not the leader; trying {Leader}")]
    private static partial void LogDebugBeaconRedirected(ILogger logger, string address, string leader);

    [LoggerMessage(EventId = (int)ReplicaEventId.BeaconRejected, Level = LogLevel.Debug,
        Message = "Meta server {Address} rejected the beacon: {Error} {Message}")]
    private static partial void LogDebugBeaconRejected(ILogger logger, string address, ErrorCode error, string message);

    [LoggerMessage(EventId = (int)ReplicaEventId.NoMetaReachable, Level = LogLevel.Warning,
        Message = "No meta leader accepted a beacon (tried {Tried}); {Failures} rounds in a row")]
    private static partial void LogWarningNoMetaReachable(ILogger logger, string tried, int failures);
}
