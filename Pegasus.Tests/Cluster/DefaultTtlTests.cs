using Google.Protobuf;
using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Tests.Replica;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>A table's <c>default_ttl</c> app env, set through the admin API, applied by the replica servers.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class DefaultTtlTests(PegasusClusterFixture fixture)
{
    private const int DefaultTtlSeconds = 1000;

    [Fact]
    public async Task DefaultTtlEnv_WritesWithoutTtlGetIt_ExplicitTtlsKept_DeletingTheEnvEndsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("default_ttl", partitionCount: 2);
        var admin = fixture.Client.Admin;
        await table.SetAsync(B("h"), B("before"), B("v"), cancellationToken: ct);

        var info = await admin.SetTableEnvsAsync(table.Name, new Dictionary<string, string> { [PegasusAdminClient.DefaultTtlEnv] = $"{DefaultTtlSeconds}" }, ct);
        Assert.Equal($"{DefaultTtlSeconds}", info.Envs[PegasusAdminClient.DefaultTtlEnv]);
        Assert.Equal($"{DefaultTtlSeconds}", (await admin.GetTableAsync(table.Name, ct)).Envs[PegasusAdminClient.DefaultTtlEnv]);

        // The replica servers learn it from their next beacon response.
        var probe = 0;
        await EventuallyAsync(
            async () =>
            {
                var sortKey = B($"probe{probe++}");
                await table.SetAsync(B("h"), sortKey, B("v"), cancellationToken: ct);
                return await table.TtlAsync(B("h"), sortKey, cancellationToken: ct) is > 0 and <= DefaultTtlSeconds;
            },
            () => "a write without TTL to get the default TTL");

        // Every write path that puts without a TTL gets it; an explicit TTL is kept.
        await table.MultiSetAsync(B("h"), [(B("multi1"), B("v")), (B("multi2"), B("v"))], cancellationToken: ct);
        await table.CheckAndSetAsync(B("h"), B("cas"), CheckType.ValueNotExist, [], B("cas"), B("v"), cancellationToken: ct);
        await table.CheckAndMutateAsync(B("h"), B("cam"), CheckType.ValueNotExist, [], new Mutations().Set(B("cam"), B("v")), cancellationToken: ct);
        await table.SetAsync(B("h"), B("explicit"), B("v"), ttlSeconds: 50, cancellationToken: ct);
        Assert.Equal(1, await table.IncrAsync(B("h"), B("counter"), 1, cancellationToken: ct));
        Assert.Equal(1, await table.IncrAsync(B("h"), B("explicit-counter"), 1, ttlSeconds: 40, cancellationToken: ct));
        Assert.InRange((await table.TtlAsync(B("h"), B("explicit-counter"), cancellationToken: ct))!.Value, 1, 40);
        foreach (var sortKey in new[] { "multi1", "multi2", "cas", "cam", "counter" })
        {
            Assert.InRange((await table.TtlAsync(B("h"), B(sortKey), cancellationToken: ct))!.Value, DefaultTtlSeconds - 30, DefaultTtlSeconds);
        }

        Assert.InRange((await table.TtlAsync(B("h"), B("explicit"), cancellationToken: ct))!.Value, 1, 50);

        // Records written before keep having none (Pegasus gives them the default at compaction; see the README).
        Assert.Equal(-1, await table.TtlAsync(B("h"), B("before"), cancellationToken: ct));

        // A raw request that skips the client gets it too: the server applies it, not the client.
        var partition = PartitionResolver.PartitionIndex(B("raw"), [], table.PartitionCount);
        var primary = (await admin.GetTableAsync(table.Name, ct)).Partitions.Single(p => p.PartitionIndex == partition).Primary!;
        await using (var stream = new RawDataStream(primary))
        {
            var response = await stream.SendAsync(
                new DataRequest
                {
                    AppId = table.AppId,
                    PartitionIndex = partition,
                    Set = new SetRequest { HashKey = ByteString.CopyFromUtf8("raw"), SortKey = ByteString.CopyFromUtf8("s"), Value = ByteString.CopyFromUtf8("v") },
                },
                ct);
            Assert.True(response.Error == ErrorCode.Ok, $"{response}");
        }

        Assert.InRange((await table.TtlAsync(B("raw"), B("s"), cancellationToken: ct))!.Value, DefaultTtlSeconds - 30, DefaultTtlSeconds);

        var deleted = await admin.DeleteTableEnvAsync(table.Name, PegasusAdminClient.DefaultTtlEnv, ct);
        Assert.False(deleted.Envs.ContainsKey(PegasusAdminClient.DefaultTtlEnv));
        await EventuallyAsync(
            async () =>
            {
                var sortKey = B($"probe{probe++}");
                await table.SetAsync(B("h"), sortKey, B("v"), cancellationToken: ct);
                return await table.TtlAsync(B("h"), sortKey, cancellationToken: ct) == -1;
            },
            () => "writes without TTL to get none once the env is deleted");
    }

    [Fact]
    public async Task SetTableEnvs_InvalidDefaultTtlOrUnknownTable_Refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("default_ttl_bad", partitionCount: 2);
        var admin = fixture.Client.Admin;

        foreach (var value in new[] { "abc", "-1", "1.5", "" })
        {
            await AssertErrorAsync(ErrorCode.InvalidParameters, () => admin.SetTableEnvsAsync(
                table.Name, new Dictionary<string, string> { [PegasusAdminClient.DefaultTtlEnv] = value }, ct));
        }

        await AssertErrorAsync(ErrorCode.InvalidParameters, () => admin.SetTableEnvsAsync(table.Name, new Dictionary<string, string>(), ct));
        await AssertErrorAsync(ErrorCode.AppNotExist, () => admin.SetTableEnvsAsync(
            PegasusClusterFixture.UniqueTableName("no_such_table"), new Dictionary<string, string> { [PegasusAdminClient.DefaultTtlEnv] = "10" }, ct));
        Assert.Empty((await admin.GetTableAsync(table.Name, ct)).Envs);
    }
}
