using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.FailureDetection;
using Pegasus.Replica.Hosting;

namespace Pegasus.Tests.Replica;

public sealed class ReplicaLeaseTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Lease_NeverRenewed_IsNotValid()
    {
        var lease = CreateLease(TimeSpan.FromSeconds(8));

        Assert.False(lease.IsValid);
        Assert.False(lease.HasRegistered);
        Assert.Null(lease.TimeSinceLastRenewal);
    }

    [Fact]
    public void Lease_CountsFromTheBeaconSendTime_AndLapses()
    {
        var lease = CreateLease(TimeSpan.FromSeconds(8));
        var sentAt = _time.GetTimestamp();

        // The answer arrives two seconds after the send; the lease still runs from the send.
        _time.Advance(TimeSpan.FromSeconds(2));
        lease.Renew(sentAt, TimeSpan.Zero);
        Assert.True(lease.IsValid);

        _time.Advance(TimeSpan.FromSeconds(5.9));
        Assert.True(lease.IsValid);

        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(lease.IsValid);
        Assert.True(lease.HasRegistered);
        Assert.False(lease.CheckExpiry());
    }

    [Fact]
    public void Lease_ShorterGrantFromMetaWins()
    {
        var lease = CreateLease(TimeSpan.FromSeconds(8));

        lease.Renew(_time.GetTimestamp(), TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromSeconds(3.1));

        Assert.False(lease.IsValid);
    }

    [Fact]
    public void Lease_LongerGrantFromMeta_IsCappedByConfiguration()
    {
        var lease = CreateLease(TimeSpan.FromSeconds(8));

        lease.Renew(_time.GetTimestamp(), TimeSpan.FromSeconds(60));
        _time.Advance(TimeSpan.FromSeconds(8.1));

        Assert.False(lease.IsValid);
    }

    [Fact]
    public void Lease_RenewalFromAnOlderBeacon_DoesNotMoveTheStartBack()
    {
        var lease = CreateLease(TimeSpan.FromSeconds(8));
        var older = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(5));
        var newer = _time.GetTimestamp();

        lease.Renew(newer, TimeSpan.Zero);
        lease.Renew(older, TimeSpan.Zero);
        _time.Advance(TimeSpan.FromSeconds(7));

        Assert.True(lease.IsValid);
    }

    [Fact]
    public async Task HealthCheck_FollowsTheLease()
    {
        var lease = CreateLease(TimeSpan.FromSeconds(8));
        var check = new MetaRegistrationHealthCheck(lease);
        var context = new HealthCheckContext();

        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context, TestContext.Current.CancellationToken)).Status);
        lease.Renew(_time.GetTimestamp(), TimeSpan.Zero);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context, TestContext.Current.CancellationToken)).Status);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context, TestContext.Current.CancellationToken)).Status);
    }

    private ReplicaLease CreateLease(TimeSpan leaseTimeout)
    {
        var meterFactory = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        return new ReplicaLease(
            _time,
            Options.Create(new ReplicaOptions { LeaseTimeout = leaseTimeout }),
            new ReplicaInstruments(meterFactory),
            NullLogger<ReplicaLease>.Instance);
    }
}
