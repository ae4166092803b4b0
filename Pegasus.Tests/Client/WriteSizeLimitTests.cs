using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Pegasus.Client;
using Pegasus.Client.Transport;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Tests.Client;

/// <summary>
/// Size limits on the data path: writes over <see cref="PegasusClientOptions.MaxAllowedWriteSize"/> (Pegasus's
/// max_allowed_write_size) and requests too large for one stream message fail before anything is sent, so they
/// can never break the stream other requests share.
/// </summary>
public sealed class WriteSizeLimitTests
{
    private const int DefaultLimit = 1 << 20;
    private static readonly byte[] HashKey = "h"u8.ToArray();
    private static readonly byte[] SortKey = "s"u8.ToArray();

    /// <summary>The value length whose Set request (hash key "h", sort key "s", no TTL) is exactly <paramref name="size"/> bytes.</summary>
    private static int ValueLengthForSetOf(int size)
    {
        for (var length = size; length > 0; length--)
        {
            var request = new SetRequest
            {
                HashKey = ByteString.CopyFrom(HashKey),
                SortKey = ByteString.CopyFrom(SortKey),
                Value = UnsafeByteOperations.UnsafeWrap(new byte[length]),
            };
            if (request.CalculateSize() == size)
            {
                return length;
            }
        }

        throw new InvalidOperationException($"no value length gives a {size}-byte set");
    }

    private static int WritesSent(IReadOnlyDictionary<string, FakeExchangeClient> replicas) => replicas.Values.Sum(r => r.WriteCount);

    [Fact]
    public async Task Set_AtTheDefaultLimit_IsSent_OneByteOver_FailsWithNothingSent()
    {
        var ct = TestContext.Current.CancellationToken;
        var seen = new ConcurrentQueue<DataRequest>();
        var (client, table, replicas) = ClientTestSupport.FakeCluster(r => { seen.Enqueue(r); return new DataResponse(); });
        await using var _ = client;
        var atLimit = new byte[ValueLengthForSetOf(DefaultLimit)];

        await table.SetAsync(HashKey, SortKey, atLimit, cancellationToken: ct);
        Assert.Equal(DefaultLimit, Assert.Single(seen).Set.CalculateSize());

        var error = await Assert.ThrowsAsync<PegasusException>(() => table.SetAsync(HashKey, SortKey, new byte[atLimit.Length + 1], cancellationToken: ct));
        Assert.Equal(ErrorCode.InvalidArgument, error.Error);
        Assert.False(error.IsTransient);
        Assert.Contains("1048576", error.Message, StringComparison.Ordinal);
        Assert.Single(seen);
        Assert.Equal(1, WritesSent(replicas));
    }

    public static TheoryData<string> OversizedWrites => ["MultiSet", "CheckAndSet", "CheckAndMutate", "Incr", "Delete", "MultiDelete", "BatchSet"];

    [Theory]
    [MemberData(nameof(OversizedWrites))]
    public async Task EveryWriteKind_OverTheLimit_FailsBeforeAnythingIsSent(string operation)
    {
        var ct = TestContext.Current.CancellationToken;
        var (client, table, replicas) = ClientTestSupport.FakeCluster(_ => new DataResponse(), configure: o => o.MaxAllowedWriteSize = 1000);
        await using var _ = client;

        // Each part is small; the write as a whole is over 1000 bytes.
        var part = new byte[600];
        Func<Task> call = operation switch
        {
            "MultiSet" => () => table.MultiSetAsync(HashKey, [("a"u8.ToArray(), part), ("b"u8.ToArray(), part)], cancellationToken: ct),
            "CheckAndSet" => () => table.CheckAndSetAsync(HashKey, SortKey, CheckType.ValueBytesEqual, part, SortKey, part, cancellationToken: ct),
            "CheckAndMutate" => () => table.CheckAndMutateAsync(HashKey, SortKey, CheckType.NoCheck, [], new Mutations().Set("a"u8.ToArray(), part).Set("b"u8.ToArray(), part), cancellationToken: ct),
            "Incr" => () => table.IncrAsync(HashKey, new byte[1200], 1, cancellationToken: ct),
            "Delete" => () => table.DeleteAsync(HashKey, new byte[1200], cancellationToken: ct),
            "MultiDelete" => () => table.MultiDeleteAsync(HashKey, [part, new byte[601]], cancellationToken: ct),
            "BatchSet" => () => table.BatchSetAsync([(HashKey, "a"u8.ToArray(), part), ("other"u8.ToArray(), SortKey, new byte[1200])], cancellationToken: ct),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        var error = await Assert.ThrowsAsync<PegasusException>(call);

        Assert.Equal(ErrorCode.InvalidArgument, error.Error);
        Assert.Contains("MaxAllowedWriteSize", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, WritesSent(replicas));
        Assert.Equal(0, client.ReplicaConnectionCount);

        // Reads are not writes: the same bytes in a read are sent.
        await table.MultiGetAsync(HashKey, [part, part], cancellationToken: ct);
        Assert.Equal(1, WritesSent(replicas));
    }

    [Fact]
    public async Task ClientCheckOff_OversizedWriteIsSent_AndTheServersRefusalComesBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var (client, table, replicas) = ClientTestSupport.FakeCluster(
            r => r.Set.CalculateSize() > DefaultLimit ? new DataResponse { Error = ErrorCode.InvalidArgument, ErrorMessage = "too large" } : new DataResponse(),
            configure: o => o.MaxAllowedWriteSize = 0);
        await using var _ = client;

        var error = await Assert.ThrowsAsync<PegasusException>(() => table.SetAsync(HashKey, SortKey, new byte[DefaultLimit + 10], cancellationToken: ct));

        Assert.Equal(ErrorCode.InvalidArgument, error.Error);
        Assert.Contains("too large", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, WritesSent(replicas));
    }

    [Fact]
    public async Task Read_TooLargeForOneStreamMessage_FailsBeforeSending()
    {
        var ct = TestContext.Current.CancellationToken;
        var (client, table, replicas) = ClientTestSupport.FakeCluster(_ => new DataResponse());
        await using var _ = client;

        // The client wraps key arrays without copying: 64 references to one 1 MiB sort key make a 64 MiB request.
        var sortKey = new byte[1 << 20];
        var error = await Assert.ThrowsAsync<PegasusException>(() => table.MultiGetAsync(HashKey, Enumerable.Repeat(sortKey, 64), cancellationToken: ct));

        Assert.Equal(ErrorCode.InvalidArgument, error.Error);
        Assert.Equal(0, WritesSent(replicas));
    }

    [Fact]
    public async Task Connection_RequestOverItsLimit_FailsUnsent_AndTheStreamKeepsServing()
    {
        var ct = TestContext.Current.CancellationToken;
        var fake = new FakeExchangeClient { Handler = r => new DataResponse { Get = new GetResponse { Value = r.Get.SortKey } } };
        using var connection = new ReplicaConnection("http://fake", fake, 100, maxBatchBytes: 1024, NullLogger.Instance, maxRequestBytes: 500);
        DataRequest Get(int sortKeyLength) => new() { Get = new GetRequest { HashKey = ByteString.CopyFromUtf8("h"), SortKey = ByteString.CopyFrom(new byte[sortKeyLength]) } };

        var error = await Assert.ThrowsAsync<PegasusException>(() => connection.SendAsync(Get(600), ct));
        var next = await connection.SendAsync(Get(400), ct);

        Assert.Equal(ErrorCode.InvalidArgument, error.Error);
        Assert.Equal(400, next.Get.Value.Length);
        Assert.Equal(1, fake.WriteCount);
        Assert.Equal(1, fake.ExchangeCount);
    }

    [Fact]
    public void Options_StreamLimitsMustBeConsistentWithTheServer()
    {
        static PegasusClientOptions Valid() => new() { MetaServers = ["http://127.0.0.1:1"] };

        Assert.Empty(Valid().Validate());
        Assert.Equal(DefaultLimit, Valid().MaxAllowedWriteSize);
        Assert.Empty(new PegasusClientOptions { MetaServers = ["http://127.0.0.1:1"], MaxAllowedWriteSize = 0 }.Validate());

        var tooSmallReceive = Valid();
        tooSmallReceive.MaxReceiveMessageBytes = 4 << 20;
        Assert.Contains(tooSmallReceive.Validate(), e => e.Contains("MaxReceiveMessageBytes", StringComparison.Ordinal));

        var tooLargeBatch = Valid();
        tooLargeBatch.MaxBatchBytes = 64 << 20;
        Assert.Contains(tooLargeBatch.Validate(), e => e.Contains("MaxBatchBytes", StringComparison.Ordinal));

        var negativeWrite = Valid();
        negativeWrite.MaxAllowedWriteSize = -1;
        Assert.Contains(negativeWrite.Validate(), e => e.Contains("MaxAllowedWriteSize", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scanner_DefaultBatchSizeIs100_AsInPegasusClients()
    {
        var ct = TestContext.Current.CancellationToken;
        var seen = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r =>
        {
            seen.Enqueue(r);
            return new DataResponse { Scan = new ScanResponse { ContextId = -1 } };
        });
        await using var _ = client;

        await using (var scanner = await table.GetScannerAsync(HashKey, [], [], cancellationToken: ct))
        {
            await foreach (var record in scanner.WithCancellation(ct))
            {
                Assert.Fail($"unexpected record {record}");
            }
        }

        Assert.Equal(100, ScanOptions.Default.BatchSize);
        Assert.Equal(100, Assert.Single(seen, r => r.OpCase == DataRequest.OpOneofCase.GetScanner).GetScanner.BatchSize);
    }
}
