using Microsoft.Extensions.Options;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Hosting;

namespace Pegasus.Replica.FailureDetection;

/// <summary>
/// This node's lease with the meta leader (DESIGN invariant 4): a successful beacon sent at time T
/// lets the node serve until T + lease, where the lease is <see cref="ReplicaOptions.LeaseTimeout"/>
/// or the shorter one the meta granted. Measuring from the send time, not the answer, keeps the
/// node's lease ending before the meta's grace period that started no earlier than the send.
/// </summary>
public sealed partial class ReplicaLease
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _configuredLease;
    private readonly ILogger<ReplicaLease> _logger;

    // Swapped whole so the hot path reads a consistent (sent, duration) pair without a lock.
    private volatile Grant? _grant;

    // Whether the last check saw the lease valid, so expiry is logged once per lapse.
    private bool _wasValid;

    /// <summary>Creates a lease that has never been granted.</summary>
    /// <param name="timeProvider">The clock leases are measured with.</param>
    /// <param name="options">The replica options (lease duration).</param>
    /// <param name="instruments">Where the beacon lag gauge is registered.</param>
    /// <param name="logger">The logger.</param>
    public ReplicaLease(
        TimeProvider timeProvider,
        IOptions<ReplicaOptions> options,
        ReplicaInstruments instruments,
        ILogger<ReplicaLease> logger)
    {
        _timeProvider = timeProvider;
        _configuredLease = options.Value.LeaseTimeout;
        _logger = logger;
        instruments.Meter.CreateObservableGauge(
            "pegasus.replica.beacon.lag",
            () => _grant is { } grant ? _timeProvider.GetElapsedTime(grant.SentTimestamp).TotalSeconds : double.NaN,
            "s",
            "Time since the send of the last beacon the meta leader accepted.");
    }

    /// <summary>Gets a value indicating whether the node holds a valid lease and may serve.</summary>
    public bool IsValid => _grant is { } grant && _timeProvider.GetElapsedTime(grant.SentTimestamp) < grant.Duration;

    /// <summary>Gets a value indicating whether the meta leader ever accepted a beacon from this node.</summary>
    public bool HasRegistered => _grant is not null;

    /// <summary>Gets the time since the send of the last accepted beacon, or null if there was none.</summary>
    public TimeSpan? TimeSinceLastRenewal => _grant is { } grant ? _timeProvider.GetElapsedTime(grant.SentTimestamp) : null;

    /// <summary>Renews the lease after the meta leader accepted a beacon.</summary>
    /// <param name="beaconSentTimestamp">The <see cref="TimeProvider.GetTimestamp"/> taken before the beacon was sent.</param>
    /// <param name="grantedByMeta">The lease the meta granted; zero or less means it granted none explicitly.</param>
    public void Renew(long beaconSentTimestamp, TimeSpan grantedByMeta)
    {
        var duration = grantedByMeta > TimeSpan.Zero && grantedByMeta < _configuredLease ? grantedByMeta : _configuredLease;

        // Only the beacon loop renews, one beacon at a time; the guard keeps a late answer to an
        // older beacon from moving the lease start backwards anyway.
        if (_grant is { } current && current.SentTimestamp > beaconSentTimestamp)
        {
            return;
        }

        var wasRegistered = _grant is not null;
        _grant = new Grant(beaconSentTimestamp, duration);
        if (!wasRegistered)
        {
            LogInformationRegistered(_logger, duration);
        }
        else if (!_wasValid)
        {
            LogInformationLeaseRenewed(_logger, duration);
        }

        _wasValid = true;
    }

    /// <summary>Logs when the lease has lapsed since the last check; called by the beacon loop.</summary>
    /// <returns>Whether the lease is valid now.</returns>
    public bool CheckExpiry()
    {
        var valid = IsValid;
        if (_wasValid && !valid)
        {
            LogWarningLeaseExpired(_logger, TimeSinceLastRenewal ?? TimeSpan.Zero);
        }

        _wasValid = valid;
        return valid;
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.Registered, Level = LogLevel.Information,
        Message = "Registered with the meta leader; lease {Lease}")]
    private static partial void LogInformationRegistered(ILogger logger, TimeSpan lease);

    [LoggerMessage(EventId = (int)ReplicaEventId.LeaseRenewed, Level = LogLevel.Information,
        Message = "Lease with the meta leader regained; lease {Lease}; serving again")]
    private static partial void LogInformationLeaseRenewed(ILogger logger, TimeSpan lease);

    [LoggerMessage(EventId = (int)ReplicaEventId.LeaseExpired, Level = LogLevel.Warning,
        Message = "Lease with the meta leader expired ({SinceLastBeacon} since the last accepted beacon); not serving until a beacon is accepted")]
    private static partial void LogWarningLeaseExpired(ILogger logger, TimeSpan sinceLastBeacon);

    private sealed record Grant(long SentTimestamp, TimeSpan Duration);
}
