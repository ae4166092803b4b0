using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Pegasus.Client.Transport;
using Pegasus.Protocol.Data;

namespace Pegasus.Tests.Client;

/// <summary>The batching transport: id matching, batching, stream breaks, cancellation and back-pressure.</summary>
public sealed class ReplicaConnectionTests
{
    private static ReplicaConnection Connect(FakeExchangeClient fake, int maxPending = 100)
        => new("http://fake", fake, maxPending, 1024 * 1024, NullLogger.Instance);

    private static DataRequest Get(string sortKey)
        => new() { Get = new GetRequest { HashKey = ByteString.CopyFromUtf8("h"), SortKey = ByteString.CopyFromUtf8(sortKey) } };

    private static DataResponse Echo(DataRequest request) => new() { Id = request.Id, Get = new GetResponse { Value = request.Get.SortKey } };

    [Fact]
    public async Task SendAsync_ResponsesOutOfOrder_MatchedById()
    {
        var ct = TestContext.Current.CancellationToken;
        var fake = new FakeExchangeClient();
        using var connection = Connect(fake);

        var calls = Enumerable.Range(0, 5).Select(i => connection.SendAsync(Get($"k{i}"), ct)).ToArray();
        var requests = await fake.ReadRequestsAsync(5, ct);
        fake.Respond(requests.AsEnumerable().Reverse().Select(Echo));
        var responses = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"k{i}"), responses.Select(r => r.Get.Value.ToStringUtf8()));
        Assert.Equal(5, requests.Select(r => r.Id).Distinct().Count());
        Assert.Equal(0, connection.PendingCount);
        Assert.Equal(1, fake.ExchangeCount);
    }

    [Fact]
    public async Task Sender_DrainsEverythingQueuedIntoOneBatch()
    {
        var ct = TestContext.Current.CancellationToken;
        var fake = new FakeExchangeClient();
        using var connection = Connect(fake);

        fake.HoldWrites();
        var first = connection.SendAsync(Get("first"), ct);
        var firstBatch = await fake.NextBatchAsync(ct);
        var queued = Enumerable.Range(0, 3).Select(i => connection.SendAsync(Get($"queued{i}"), ct)).ToArray();
        fake.ReleaseWrites();
        var secondBatch = await fake.NextBatchAsync(ct);
        fake.Respond(firstBatch.Requests.Concat(secondBatch.Requests).Select(Echo));
        await Task.WhenAll([first, .. queued]);

        Assert.Single(firstBatch.Requests);
        Assert.Equal(["queued0", "queued1", "queued2"], secondBatch.Requests.Select(r => r.Get.SortKey.ToStringUtf8()));
    }

    [Fact]
    public async Task Sender_SplitsBatchesAtMaxBatchBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        var fake = new FakeExchangeClient();
        using var connection = new ReplicaConnection("http://fake", fake, 100, maxBatchBytes: 250, NullLogger.Instance);
        var value = ByteString.CopyFrom(new byte[100]);

        fake.HoldWrites();
        var first = connection.SendAsync(Get("first"), ct);
        await fake.NextBatchAsync(ct);
        var big = Enumerable.Range(0, 4)
            .Select(i => connection.SendAsync(new DataRequest { Set = new SetRequest { SortKey = ByteString.CopyFromUtf8($"{i}"), Value = value } }, ct))
            .ToArray();
        fake.ReleaseWrites();
        var sizes = new List<int>();
        var requests = new List<DataRequest>();
        while (requests.Count < 4)
        {
            var batch = await fake.NextBatchAsync(ct);
            sizes.Add(batch.Requests.Count);
            requests.AddRange(batch.Requests);
        }

        fake.Respond(requests.Select(r => new DataResponse { Id = r.Id }));
        await Task.WhenAll(big);

        Assert.Equal([2, 2], sizes);
    }

    [Fact]
    public async Task BrokenStream_FailsPendingAndReconnectsOnNextRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        var fake = new FakeExchangeClient();
        using var connection = Connect(fake);

        var pending = connection.SendAsync(Get("lost"), ct);
        await fake.ReadRequestsAsync(1, ct);
        fake.Break();
        var error = await Assert.ThrowsAsync<ReplicaConnectionException>(() => pending);

        var next = connection.SendAsync(Get("after"), ct);
        fake.Respond((await fake.ReadRequestsAsync(1, ct)).Select(Echo));

        Assert.Equal("after", (await next).Get.Value.ToStringUtf8());
        Assert.Equal("http://fake", error.Address);
        Assert.Equal(2, fake.ExchangeCount);
    }

    [Fact]
    public async Task Cancelled_RequestIsForgotten_LateResponseIgnored()
    {
        var ct = TestContext.Current.CancellationToken;
        var fake = new FakeExchangeClient();
        using var connection = Connect(fake);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var cancelled = connection.SendAsync(Get("cancelled"), cancellation.Token);
        var sent = await fake.ReadRequestsAsync(1, ct);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(0, connection.PendingCount);

        var next = connection.SendAsync(Get("next"), ct);
        var nextRequest = await fake.ReadRequestsAsync(1, ct);
        fake.Respond([Echo(sent[0]), Echo(nextRequest[0])]);

        Assert.Equal("next", (await next).Get.Value.ToStringUtf8());
        Assert.Equal(1, fake.ExchangeCount);
    }

    [Fact]
    public async Task PendingLimit_NextRequestWaitsForASlot()
    {
        var ct = TestContext.Current.CancellationToken;
        var fake = new FakeExchangeClient();
        using var connection = Connect(fake, maxPending: 1);

        var first = connection.SendAsync(Get("first"), ct);
        var firstRequest = await fake.ReadRequestsAsync(1, ct);
        var second = connection.SendAsync(Get("second"), ct);

        Assert.False(second.IsCompleted);
        Assert.Equal(1, fake.WriteCount);

        fake.Respond([Echo(firstRequest[0])]);
        await first;
        fake.Respond((await fake.ReadRequestsAsync(1, ct)).Select(Echo));
        Assert.Equal("second", (await second).Get.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Dispose_FailsPendingRequests()
    {
        var ct = TestContext.Current.CancellationToken;
        var fake = new FakeExchangeClient();
        var connection = Connect(fake);

        var pending = connection.SendAsync(Get("k"), ct);
        await fake.ReadRequestsAsync(1, ct);
        connection.Dispose();

        await Assert.ThrowsAsync<ReplicaConnectionException>(() => pending);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => connection.SendAsync(Get("late"), ct));
    }
}
