using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Meta;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.FailureDetection;
using Pegasus.Replica.Grpc;
using static Pegasus.Tests.Replica.ReplicaTestRequests;
using static Pegasus.Tests.Replica.ReplicaTestWaits;

namespace Pegasus.Tests.Replica;

/// <summary>The data path below the gRPC stream: dispatch, lease and routing checks, tracing, and the batching sender.</summary>
public sealed class RequestDispatcherTests : IAsyncLifetime
{
    private const string NodeAddress = "http://127.0.0.1:1234";
    private readonly ReplicaManagerTestContext _context = new("pegasus-dispatcher-tests", NodeAddress);
    private readonly ReplicaLease _lease;
    private readonly RequestDispatcher _dispatcher;

    public RequestDispatcherTests()
    {
        _lease = new ReplicaLease(TimeProvider.System, _context.Options, _context.Instruments, NullLogger<ReplicaLease>.Instance);
        _dispatcher = new RequestDispatcher(_context.Manager, _lease, _context.Options, _context.Instruments, NullLogger<RequestDispatcher>.Instance);
    }

    public async ValueTask InitializeAsync() => await _context.Manager.StartAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task Dispatch_WithoutLease_AnswersInvalidState()
    {
        await ServePrimaryAsync(1, 0);
        var stream = new CapturingStream();

        var response = await DispatchOneAsync(stream, Get("hk", "sk", appId: 1));

        Assert.Equal(ErrorCode.InvalidState, response.Error);
        Assert.Contains("lease", response.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatch_PartitionNotHeld_AnswersObjectNotFound()
    {
        RenewLease();
        var stream = new CapturingStream();

        var response = await DispatchOneAsync(stream, Get("hk", "sk", appId: 5, partitionIndex: 1));

        Assert.Equal(ErrorCode.ObjectNotFound, response.Error);
        Assert.Equal("partition 5.1 is not served by this node", response.ErrorMessage);
        Assert.Equal((5, 1, NodeAddress), (response.AppId, response.PartitionIndex, response.Server));
    }

    [Fact]
    public async Task Dispatch_SecondaryReplica_AnswersInvalidState()
    {
        RenewLease();
        var assignment = Assignment(1, 0);
        assignment.Role = ReplicaRole.Secondary;
        _context.Manager.ApplyAssignments([assignment], []);
        await _context.WaitServingAsync(1, 0);

        var response = await DispatchOneAsync(new CapturingStream(), Set("hk", "sk", "v", appId: 1));

        Assert.Equal(ErrorCode.InvalidState, response.Error);
    }

    [Fact]
    public async Task Dispatch_WriteThenRead_AreServedWithDecreeAndContinueTheCallersTrace()
    {
        RenewLease();
        await ServePrimaryAsync(1, 0);
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ReplicaTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var stream = new CapturingStream();
        var set = Set("hk", "sk", "v", appId: 1);
        set.Traceparent = $"00-{traceId}-{callerSpan}-01";

        var written = await DispatchOneAsync(stream, set);
        var read = await DispatchOneAsync(stream, Get("hk", "sk", appId: 1));

        Assert.Equal(ErrorCode.Ok, written.Error);
        Assert.Equal(1, written.Decree);
        Assert.Equal(ErrorCode.Ok, read.Error);
        Assert.Equal("v", read.Get.Value.ToStringUtf8());
        var span = Assert.Single(spans);
        Assert.Equal(callerSpan, span.ParentSpanId);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(1L, span.GetTagItem("pegasus.decree"));
    }

    [Fact]
    public async Task Sender_QueuedResponses_GoOutAsOneBatch_AndEndWhenAllAnswered()
    {
        var stream = new CapturingStream();
        var sender = new ResponseSender(stream);
        for (ulong id = 1; id <= 3; id++)
        {
            sender.BeginRequest();
            sender.Send(new DataResponse { Id = id });
        }

        sender.BeginRequest();
        var running = sender.RunAsync(TestContext.Current.CancellationToken);
        var first = await stream.Batches.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        sender.RequestsCompleted();

        // The loop must not end while one request is still unanswered.
        Assert.False(running.IsCompleted);
        sender.Send(new DataResponse { Id = 4 });
        var second = await stream.Batches.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        await running.WaitAsync(WaitLimit, TestContext.Current.CancellationToken);

        Assert.Equal([1UL, 2UL, 3UL], first.Responses.Select(response => response.Id));
        Assert.Equal(4UL, Assert.Single(second.Responses).Id);
    }

    private void RenewLease() => _lease.Renew(TimeProvider.System.GetTimestamp(), TimeSpan.Zero);

    private async Task ServePrimaryAsync(int appId, int partitionIndex)
    {
        _context.Manager.ApplyAssignments([Assignment(appId, partitionIndex)], []);
        await _context.WaitServingAsync(appId, partitionIndex);
    }

    private async Task<DataResponse> DispatchOneAsync(CapturingStream stream, DataRequest request)
    {
        var sender = new ResponseSender(stream);
        var running = sender.RunAsync(TestContext.Current.CancellationToken);
        await _dispatcher.DispatchAsync(request, sender, TestContext.Current.CancellationToken);
        sender.RequestsCompleted();
        await running.WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        var batch = await stream.Batches.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(WaitLimit, TestContext.Current.CancellationToken);
        return Assert.Single(batch.Responses);
    }

    private static ReplicaAssignment Assignment(int appId, int partitionIndex) => new()
    {
        AppId = appId,
        PartitionIndex = partitionIndex,
        PartitionCount = 1,
        Ballot = 1,
        Role = ReplicaRole.Primary,
    };

    /// <summary>A response stream that keeps every batch written to it.</summary>
    private sealed class CapturingStream : IServerStreamWriter<ResponseBatch>
    {
        public Channel<ResponseBatch> Batches { get; } = Channel.CreateUnbounded<ResponseBatch>();

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(ResponseBatch message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(ResponseBatch message, CancellationToken cancellationToken) =>
            Batches.Writer.WriteAsync(message, cancellationToken).AsTask();
    }
}
