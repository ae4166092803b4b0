using System.Net;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Tests.Cluster;
using static Pegasus.Tests.Replica.ReplicaTestRequests;

namespace Pegasus.Tests.Replica;

/// <summary>The real replica server process on its own, with no meta server to register with.</summary>
public sealed class ReplicaServerProcessTests
{
    [Fact]
    public async Task WithoutMeta_IsAliveButNotReady_AndAnswersEveryRequestOfABatch()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var unreachableMeta = $"http://127.0.0.1:{MetaServerProcess.GetFreeTcpPort()}";
        await using var replica = await ReplicaServerProcess.StartAsync(unreachableMeta, cancellationToken: cancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await replica.GetHealthStatusAsync(cancellationToken));

        await using var stream = new RawDataStream(replica.GrpcAddress);
        var responses = await stream.SendBatchAsync(
            [Get("hk", "sk", appId: 9, partitionIndex: 2), Set("hk", "sk", "v", appId: 9, partitionIndex: 2), new DataRequest { AppId = 9 }],
            cancellationToken);

        // Without a lease from the meta leader nothing is served (DESIGN invariant 4).
        Assert.Equal(ErrorCode.InvalidState, responses[0].Error);
        Assert.Equal(ErrorCode.InvalidState, responses[1].Error);
        Assert.Equal(ErrorCode.InvalidArgument, responses[2].Error);
        Assert.All(responses, response => Assert.Equal(replica.GrpcAddress, response.Server));
        Assert.Equal((9, 2), (responses[0].AppId, responses[0].PartitionIndex));
        Assert.Equal(3, responses.Select(response => response.Id).Distinct().Count());

        // Half-closing ends the call once everything sent was answered.
        await stream.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Assert.True(replica.IsRunning, replica.Output);
    }
}
