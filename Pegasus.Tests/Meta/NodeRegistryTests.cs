using System.Diagnostics.Metrics;
using Pegasus.Meta.Diagnostics;

namespace Pegasus.Tests.Meta;

public sealed class NodeRegistryTests : IDisposable
{
    private const string Node = "http://127.0.0.1:7001";

    private readonly MetaTestServices _meta = new(gracePeriod: TimeSpan.FromSeconds(10));

    public void Dispose() => _meta.Dispose();

    [Fact]
    public void NeverBeaconed_IsNotAlive()
    {
        Assert.False(_meta.Nodes.IsAlive(Node));
        Assert.Empty(_meta.Nodes.GetNodes());
    }

    [Fact]
    public void Beacon_KeepsNodeAliveForTheGracePeriodOnly()
    {
        _meta.Beacon(Node);
        _meta.Time.Advance(TimeSpan.FromSeconds(10));
        var atGrace = _meta.Nodes.IsAlive(Node);
        _meta.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(atGrace);
        Assert.False(_meta.Nodes.IsAlive(Node));
        var state = Assert.Single(_meta.Nodes.GetNodes());
        Assert.False(state.Alive);
        Assert.Equal(_meta.Time.GetUtcNow() - TimeSpan.FromSeconds(10.001), state.LastBeaconAt);
    }

    [Fact]
    public void CheckLiveness_ReportsEachDeathOnce_AndABeaconRevives()
    {
        _meta.Beacon(Node, "http://127.0.0.1:7002");
        _meta.Time.Advance(TimeSpan.FromSeconds(5));
        _meta.Beacon("http://127.0.0.1:7002");
        Assert.Empty(_meta.Nodes.CheckLiveness());

        _meta.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal([Node], _meta.Nodes.CheckLiveness());
        Assert.Empty(_meta.Nodes.CheckLiveness());
        Assert.Equal(["http://127.0.0.1:7002"], _meta.Nodes.GetAliveNodes());

        _meta.Beacon(Node);
        Assert.True(_meta.Nodes.IsAlive(Node));
        Assert.Equal([Node, "http://127.0.0.1:7002"], _meta.Nodes.GetAliveNodes());
    }

    [Fact]
    public void Lease_IsShorterThanTheGracePeriod()
        => Assert.InRange(_meta.Nodes.Lease, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(9.99));

    [Fact]
    public void NormalizeAddress_TrimsSpaceAndTrailingSlash()
        => Assert.Equal(Node, Pegasus.Meta.FailureDetection.NodeRegistry.NormalizeAddress(" http://127.0.0.1:7001/ "));

    [Fact]
    public void Beacons_AreCountedOnTheMetaMeter()
    {
        long beacons = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MetaInstruments.MeterName && instrument.Name == "pegasus.meta.beacons")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref beacons, value));
        listener.Start();

        _meta.Beacon(Node, Node, "http://127.0.0.1:7002");

        Assert.Equal(3, Interlocked.Read(ref beacons));
    }

    [Fact]
    public void GetCommittedAtBallotStart_KeepsTheFirstReportAtEachBallot()
    {
        _meta.Nodes.RecordBeacon(Node, 1, [Report(ballot: 3, committed: 10)]);
        _meta.Nodes.RecordBeacon(Node, 1, [Report(ballot: 3, committed: 20)]);
        Assert.Equal(10, _meta.Nodes.GetCommittedAtBallotStart(Node, 1, 0, 3));
        Assert.Null(_meta.Nodes.GetCommittedAtBallotStart(Node, 1, 0, 4));

        _meta.Nodes.RecordBeacon(Node, 1, [Report(ballot: 4, committed: 25)]);
        _meta.Nodes.RecordBeacon(Node, 1, [Report(ballot: 4, committed: 30)]);
        Assert.Equal(25, _meta.Nodes.GetCommittedAtBallotStart(Node, 1, 0, 4));
        Assert.Null(_meta.Nodes.GetCommittedAtBallotStart(Node, 1, 0, 3));

        // A replica no longer reported starts over when it returns, even at the same ballot.
        _meta.Nodes.RecordBeacon(Node, 0, []);
        _meta.Nodes.RecordBeacon(Node, 1, [Report(ballot: 4, committed: 40)]);
        Assert.Equal(40, _meta.Nodes.GetCommittedAtBallotStart(Node, 1, 0, 4));
    }

    private static Pegasus.Protocol.Meta.ReplicaState Report(long ballot, long committed) => new()
    {
        AppId = 1,
        PartitionIndex = 0,
        Ballot = ballot,
        Role = Pegasus.Protocol.Meta.ReplicaRole.Primary,
        LastCommittedDecree = committed,
        LastPreparedDecree = committed,
    };
}
