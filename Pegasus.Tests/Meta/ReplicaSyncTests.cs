using Pegasus.Meta.Balancing;
using Pegasus.Meta.State;
using Pegasus.Protocol.Meta;

namespace Pegasus.Tests.Meta;

/// <summary>What beacons tell about a configuration having reached its replicas, and who may lead.</summary>
public sealed class ReplicaSyncTests : IDisposable
{
    private const string P = "http://p:1";
    private const string S = "http://s:1";
    private const string T = "http://t:1";

    private static readonly PartitionConfigurationRecord Partition = new(0, Ballot: 5, P, [S, T], MaxReplicaCount: 3);

    private readonly MetaTestServices _meta = new();

    public void Dispose() => _meta.Dispose();

    [Fact]
    public void IsSynced_EveryServingCopyReportsTheBallotInItsRole()
    {
        Report(P, 5, ReplicaRole.Primary, committed: 100, prepared: 100);
        Report(S, 5, ReplicaRole.Secondary, committed: 100, prepared: 100);
        Report(T, 4, ReplicaRole.Learner, committed: 90, prepared: 90);
        Assert.False(ReplicaSync.IsSynced(_meta.Nodes, 1, Partition));

        Report(T, 5, ReplicaRole.Secondary, committed: 90, prepared: 90);
        Assert.True(ReplicaSync.IsSynced(_meta.Nodes, 1, Partition));
    }

    [Fact]
    public void CanLead_NeedsWhatThePrimaryCommittedWhenItFirstReportedTheBallot()
    {
        // T joined while P (not knowing yet) committed up to 100 without it; T's log ends at 96.
        Report(P, 5, ReplicaRole.Primary, committed: 100, prepared: 101);
        Report(S, 5, ReplicaRole.Secondary, committed: 99, prepared: 101);
        Report(T, 5, ReplicaRole.Secondary, committed: 96, prepared: 96);
        Assert.True(ReplicaSync.CanLead(_meta.Nodes, 1, Partition, S));
        Assert.False(ReplicaSync.CanLead(_meta.Nodes, 1, Partition, T));

        // Writes go on: P's committed point runs ahead of T's last report, but T now holds what P committed without it.
        Report(T, 5, ReplicaRole.Secondary, committed: 100, prepared: 140);
        Report(P, 5, ReplicaRole.Primary, committed: 150, prepared: 151);
        Assert.True(ReplicaSync.CanLead(_meta.Nodes, 1, Partition, T));
        Assert.Equal([S, T], ReplicaSync.LeadCandidates(_meta.Nodes, 1, Partition).Order(StringComparer.Ordinal));

        // Not a secondary, or not reporting the ballot: no.
        Assert.False(ReplicaSync.CanLead(_meta.Nodes, 1, Partition, P));
        Assert.False(ReplicaSync.CanLead(_meta.Nodes, 1, Partition with { Ballot = 6 }, S));
    }

    private void Report(string node, long ballot, ReplicaRole role, long committed, long prepared)
        => _meta.Nodes.RecordBeacon(node, 1, [new ReplicaState
        {
            AppId = 1,
            PartitionIndex = 0,
            Ballot = ballot,
            Role = role,
            LastCommittedDecree = committed,
            LastPreparedDecree = prepared,
        }]);
}
