using System.Collections.Concurrent;
using Google.Protobuf;
using Pegasus.Client.Transport;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Tests.Client;

/// <summary>
/// Every write carries its client's session and its own number, the same on each retry, and the lowest number still
/// unanswered: what lets the replicas answer a retry of an applied write instead of applying it twice.
/// </summary>
public sealed class WriteNumberingTests
{
    private static readonly byte[] HashKey = "hk"u8.ToArray();

    [Fact]
    public async Task Set_Retried_EveryAttemptCarriesTheSameSessionAndNumber()
    {
        var seen = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r =>
        {
            seen.Enqueue(r.Clone());
            return seen.Count < 3 ? new DataResponse { Error = ErrorCode.InvalidState } : new DataResponse();
        });
        await using var _ = client;

        await table.SetAsync(HashKey, "a"u8.ToArray(), "v"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken);

        var attempts = seen.ToArray();
        Assert.Equal(3, attempts.Length);
        Assert.NotEqual(0UL, attempts[0].WriteSession);
        Assert.All(attempts, attempt => Assert.Equal(attempts[0].WriteSession, attempt.WriteSession));
        Assert.All(attempts, attempt => Assert.Equal(attempts[0].WriteSeq, attempt.WriteSeq));
        Assert.All(attempts, attempt => Assert.Equal(attempt.WriteSeq, attempt.WriteAckedBelow));
    }

    [Fact]
    public async Task Writes_OneAfterAnother_GetIncreasingNumbersAndAcknowledgeTheAnsweredOnes()
    {
        var seen = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r => { seen.Enqueue(r.Clone()); return new DataResponse(); });
        await using var _ = client;
        var ct = TestContext.Current.CancellationToken;

        await table.SetAsync(HashKey, "a"u8.ToArray(), "v"u8.ToArray(), cancellationToken: ct);
        await table.DeleteAsync(HashKey, "a"u8.ToArray(), cancellationToken: ct);
        await table.IncrAsync(HashKey, "n"u8.ToArray(), 1, cancellationToken: ct);

        var writes = seen.ToArray();
        Assert.Equal([1UL, 2UL, 3UL], writes.Select(w => w.WriteSeq));
        Assert.Equal([1UL, 2UL, 3UL], writes.Select(w => w.WriteAckedBelow));
        Assert.Single(writes.Select(w => w.WriteSession).Distinct());
    }

    [Fact]
    public async Task Get_IsNotNumbered()
    {
        var seen = new ConcurrentQueue<DataRequest>();
        var (client, table, _) = ClientTestSupport.FakeCluster(r =>
        {
            seen.Enqueue(r.Clone());
            return new DataResponse { Get = new GetResponse { Value = ByteString.CopyFromUtf8("v") } };
        });
        await using var _ = client;

        await table.GetAsync(HashKey, "a"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0UL, Assert.Single(seen).WriteSession);
    }

    [Fact]
    public void AckedBelow_IsTheLowestUnansweredNumber()
    {
        var session = new WriteSession();
        var first = session.Begin();
        var second = session.Begin();
        var third = session.Begin();

        session.Complete(second);
        Assert.Equal(first, session.AckedBelow);
        session.Complete(first);
        Assert.Equal(third, session.AckedBelow);
        session.Complete(third);
        Assert.Equal(third + 1, session.AckedBelow);
    }
}
