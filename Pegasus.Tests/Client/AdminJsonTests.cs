using System.Text.Json;
using Pegasus.Client;

namespace Pegasus.Tests.Client;

/// <summary>The admin client reads the meta server's JSON (camelCase, as the common contract specifies).</summary>
public sealed class AdminJsonTests
{
    [Fact]
    public void TableInfo_WithPartitions_IsRead()
    {
        const string json = """
            {"name":"t1","appId":3,"partitionCount":2,"replicaCount":3,"status":"Available","envs":{"a":"b"},
             "createdAt":"2025-01-02T03:04:05+00:00",
             "partitions":[{"partitionIndex":0,"ballot":4,"primary":"http://r1","secondaries":["http://r2","http://r3"],"maxReplicaCount":3},
                           {"partitionIndex":1,"ballot":1,"primary":null,"secondaries":[],"maxReplicaCount":3}]}
            """;

        var table = JsonSerializer.Deserialize(json, AdminJsonContext.Default.TableInfo)!;

        Assert.Equal(("t1", 3, 2, 3, "Available"), (table.Name, table.AppId, table.PartitionCount, table.ReplicaCount, table.Status));
        Assert.Equal("b", table.Envs["a"]);
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), table.CreatedAt);
        Assert.Null(table.DroppedAt);
        Assert.Equal(["http://r2", "http://r3"], table.Partitions[0].Secondaries);
        Assert.Null(table.Partitions[1].Primary);
        Assert.False(table.IsHealthy);
    }

    [Fact]
    public void TableInfo_Listing_HasNoPartitions()
    {
        var tables = JsonSerializer.Deserialize("""[{"name":"a","appId":1,"partitionCount":4,"replicaCount":3,"status":"Available","envs":{},"partitions":null}]""", AdminJsonContext.Default.ListTableInfo)!;

        Assert.Empty(Assert.Single(tables).Partitions);
    }

    [Fact]
    public void TableInfo_EveryPartitionServed_IsHealthy()
    {
        var table = new TableInfo
        {
            PartitionCount = 2,
            ReplicaCount = 2,
            Partitions =
            [
                new PartitionInfo { PartitionIndex = 0, Primary = "http://a", Secondaries = ["http://b"] },
                new PartitionInfo { PartitionIndex = 1, Primary = "http://b", Secondaries = ["http://a"] },
            ],
        };

        Assert.True(table.IsHealthy);
        Assert.False((table with { ReplicaCount = 3 }).IsHealthy);
    }

    [Fact]
    public void NodesAndCluster_AreRead()
    {
        var nodes = JsonSerializer.Deserialize("""[{"address":"http://r1","alive":true,"lastBeaconAt":null,"replicaCount":4}]""", AdminJsonContext.Default.ListNodeInfo)!;
        var cluster = JsonSerializer.Deserialize("""{"isLeader":true,"leaderGrpcAddress":"http://m:1","leaderHttpAddress":"http://m:2","stateStore":"Embedded"}""", AdminJsonContext.Default.ClusterInfo)!;

        Assert.Equal(("http://r1", true, null, 4), (nodes[0].Address, nodes[0].Alive, nodes[0].LastBeaconAt, nodes[0].ReplicaCount));
        Assert.Equal((true, "http://m:1", "http://m:2", "Embedded"), (cluster.IsLeader, cluster.LeaderGrpcAddress, cluster.LeaderHttpAddress, cluster.StateStore));
    }

    [Fact]
    public void ErrorBody_IsRead()
    {
        var error = JsonSerializer.Deserialize("""{"error":"ForwardToOthers","message":"not leader","leader":"http://m:2"}""", AdminJsonContext.Default.AdminErrorBody)!;

        Assert.Equal(("ForwardToOthers", "not leader", "http://m:2"), (error.Error, error.Message, error.Leader));
    }
}
