using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Replication;
using static Pegasus.Tests.Replica.ReplicaTestRequests;
using static Pegasus.Tests.Replica.ReplicaTestWaits;

namespace Pegasus.Tests.Replica;

/// <summary>
/// One client write is one trace: the primary's span for the write travels with each prepared mutation, and every
/// secondary logs the prepare under a span that is its child.
/// </summary>
public sealed class PrepareTracingTests : IAsyncDisposable
{
    private const string Primary = "http://p:1";
    private const string Secondary = "http://s:1";

    private const string TestSourceName = "Pegasus.Tests.PrepareTracing";

    private static readonly ActivitySource TestSource = new(TestSourceName);

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private readonly HostedPipeline _replica;

    public PrepareTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is ReplicaTelemetry.Name or TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        _replica = new HostedPipeline(
            Path.Combine(Path.GetTempPath(), "pegasus-prepare-tracing-tests", Guid.NewGuid().ToString("N")),
            Primary,
            new PartitionConfig(2, ReplicaRole.Primary, Primary, [Secondary], []),
            new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _replica.DisposeAsync();
    }

    [Fact]
    public async Task Primary_WriteServedUnderASpan_PreparesCarryThatSpan()
    {
        string spanId;
        using (var span = TestSource.StartActivity("write", ActivityKind.Server))
        {
            Assert.NotNull(span);
            spanId = span.Id!;
            await _replica.Pipeline.EnqueueAsync(Set("hk", "sk", "v"), new DataResponse(), TestContext.Current.CancellationToken);
        }

        await WaitUntilAsync(() => _replica.Host.Sent.Any(sent => sent.Message.Mutations.Count > 0));

        var mutation = Assert.Single(_replica.Host.Sent.First(sent => sent.Message.Mutations.Count > 0).Message.Mutations);
        Assert.Equal(spanId, mutation.Traceparent);
    }

    [Fact]
    public async Task Primary_WriteNotTraced_PreparesCarryNoTraceContext()
    {
        await _replica.Pipeline.EnqueueAsync(Set("hk", "sk", "v"), new DataResponse(), TestContext.Current.CancellationToken);

        await WaitUntilAsync(() => _replica.Host.Sent.Any(sent => sent.Message.Mutations.Count > 0));

        Assert.Empty(Assert.Single(_replica.Host.Sent.First(sent => sent.Message.Mutations.Count > 0).Message.Mutations).Traceparent);
    }

    [Fact]
    public void Secondary_PrepareOfATracedWrite_IsAChildSpanOfThePrimarysSpan()
    {
        _replica.Host.Config = new PartitionConfig(2, ReplicaRole.Secondary, Secondary, [Primary], []);
        var traceId = ActivityTraceId.CreateRandom();
        var parentSpan = ActivitySpanId.CreateRandom();
        var message = new PrepareMessage { AppId = 3, Ballot = 2, Primary = Secondary };
        message.Mutations.Add(new MutationEntry
        {
            Ballot = 2,
            Decree = 1,
            Request = Set("hk", "sk", "v").ToByteString(),
            Traceparent = $"00-{traceId}-{parentSpan}-01",
        });
        message.Mutations.Add(new MutationEntry { Ballot = 2, Decree = 2, Request = Set("hk", "sk2", "v").ToByteString() });

        Assert.Equal(Pegasus.Protocol.ErrorCode.Ok, _replica.Pipeline.OnPrepare(message)!.Error);

        var prepare = Assert.Single(_stopped, span => span.TraceId == traceId);
        Assert.Equal("pegasus.replica prepare", prepare.OperationName);
        Assert.Equal(parentSpan, prepare.ParentSpanId);
        Assert.Equal(1L, prepare.GetTagItem("pegasus.decree"));
        Assert.DoesNotContain(_stopped, span => span.OperationName == "pegasus.replica prepare" && Equals(span.GetTagItem("pegasus.decree"), 2L) && span.TraceId == traceId);
    }
}
