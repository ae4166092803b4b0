using System.Diagnostics;
using Microsoft.Extensions.Options;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.FailureDetection;
using Pegasus.Replica.Hosting;
using Pegasus.Replica.Replication;
using Pegasus.Replica.Storage;

namespace Pegasus.Replica.Grpc;

/// <summary>
/// Routes one data request to its partition replica: writes into the replica's write pipeline
/// (in arrival order), reads onto the thread pool (so the stream's reader never blocks on
/// storage). Every request is answered through the stream's <see cref="ResponseSender"/>.
/// </summary>
public sealed partial class RequestDispatcher(
    ReplicaManager replicas,
    ReplicaLease lease,
    IOptions<ReplicaOptions> options,
    ReplicaInstruments instruments,
    ILogger<RequestDispatcher> logger)
{
    private static readonly string[] ActivityNames = CreateActivityNames();

    private ReplicaLease Lease => lease;

    private readonly string _nodeAddress = options.Value.AdvertisedAddress;
    private readonly int _maxAllowedWriteSize = options.Value.MaxAllowedWriteSize;
    private readonly ReplicaInstruments _instruments = instruments;
    private readonly ILogger<RequestDispatcher> _logger = logger;

    /// <summary>
    /// Starts serving <paramref name="request"/>. Returns once a write has its place in its
    /// replica's queue (so a stream's writes keep their order) or a read is handed to the thread pool.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="sender">The stream's sender the response goes to.</param>
    /// <param name="cancellationToken">The call's token.</param>
    /// <returns>A task that completes when the request is handed off.</returns>
    public ValueTask DispatchAsync(DataRequest request, ResponseSender sender, CancellationToken cancellationToken)
    {
        var context = new RequestContext(this, request, sender);
        sender.BeginRequest();

        // The request's span is parented to the caller's trace; it must not become the parent of
        // the next request on this stream, so the ambient activity is put back afterwards.
        var ambient = Activity.Current;
        try
        {
            context.Activity = StartActivity(request);
            return DispatchCoreAsync(context, cancellationToken);
        }
        finally
        {
            Activity.Current = ambient;
        }
    }

    private ValueTask DispatchCoreAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.OpCase == DataRequest.OpOneofCase.None)
        {
            return context.Fail(ErrorCode.InvalidArgument, "the request carries no operation");
        }

        // Pegasus's max_allowed_write_size, checked before the write gets a decree so it changes nothing, and
        // answered (not thrown) so the stream and the requests sharing it carry on.
        if (_maxAllowedWriteSize > 0 && DataStreamLimits.WriteSize(request) is var writeSize && writeSize > _maxAllowedWriteSize)
        {
            return context.Fail(
                ErrorCode.InvalidArgument,
                $"the write is {writeSize} bytes, over this server's write size limit of {_maxAllowedWriteSize} bytes (Replica:MaxAllowedWriteSize)");
        }

        // Invariant 4: without a lease the meta may already have handed the partition to another node.
        if (!lease.IsValid)
        {
            return context.Fail(ErrorCode.InvalidState, "this node holds no lease from the meta leader");
        }

        if (!replicas.TryGetReplica(request.AppId, request.PartitionIndex, out var replica))
        {
            return context.Fail(
                ErrorCode.ObjectNotFound, $"partition {request.AppId}.{request.PartitionIndex} is not served by this node");
        }

        if (!replica.CanServeClients(out var reason))
        {
            return context.Fail(ErrorCode.InvalidState, reason);
        }

        if (PartitionStore.IsWrite(request.OpCase))
        {
            return DispatchWriteAsync(replica, context, cancellationToken);
        }

        ThreadPool.QueueUserWorkItem(static state => state.Context.ExecuteRead(state.Replica), (Context: context, Replica: replica), preferLocal: false);
        return ValueTask.CompletedTask;
    }

    private static async ValueTask DispatchWriteAsync(PartitionReplica replica, RequestContext context, CancellationToken cancellationToken)
    {
        Task<DataResponse> completion;
        try
        {
            completion = await replica.EnqueueWriteAsync(context.Request, context.Response, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The stream is going away while the queue was full; the write was never queued.
            await context.Fail(ErrorCode.Timeout, "the stream closed before the write was queued").ConfigureAwait(false);
            return;
        }

        _ = completion.ContinueWith(
            static (_, state) => ((RequestContext)state!).Complete(),
            context,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static Activity? StartActivity(DataRequest request)
    {
        if (!ReplicaTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        // With no trace context from the caller the span starts its own trace rather than joining
        // the long-lived span of the stream it came on.
        Activity.Current = null;
        ActivityContext.TryParse(request.Traceparent, request.Tracestate, isRemote: true, out var parent);
        var activity = ReplicaTelemetry.ActivitySource.StartActivity(ActivityNames[(int)request.OpCase], ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("pegasus.app_id", request.AppId);
            activity.SetTag("pegasus.partition_index", request.PartitionIndex);
            activity.SetTag("pegasus.request_id", request.Id);
        }

        return activity;
    }

    private static string[] CreateActivityNames()
    {
        var cases = Enum.GetValues<DataRequest.OpOneofCase>();
        var names = new string[cases.Max(op => (int)op) + 1];
        foreach (var op in cases)
        {
            names[(int)op] = "pegasus.replica " + op;
        }

        return names;
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.ReadFailed, Level = LogLevel.Error,
        Message = "Read {Operation} on replica {AppId}.{PartitionIndex} failed")]
    private static partial void LogErrorReadFailed(
        ILogger logger, Exception exception, DataRequest.OpOneofCase operation, int appId, int partitionIndex);

    /// <summary>One request on its way: its response, span and start time.</summary>
    private sealed class RequestContext(RequestDispatcher dispatcher, DataRequest request, ResponseSender sender)
    {
        private readonly long _startTimestamp = Stopwatch.GetTimestamp();

        public DataRequest Request { get; } = request;

        public DataResponse Response { get; } = new()
        {
            Id = request.Id,
            AppId = request.AppId,
            PartitionIndex = request.PartitionIndex,
            Server = dispatcher._nodeAddress,
        };

        public Activity? Activity { get; set; }

        public ValueTask Fail(ErrorCode error, string message)
        {
            Response.Error = error;
            Response.ErrorMessage = message;
            Complete();
            return ValueTask.CompletedTask;
        }

        public void ExecuteRead(PartitionReplica replica)
        {
            if (!replica.TryEnterRead(out var store))
            {
                Fail(ErrorCode.InvalidState, $"partition {replica.Id} closed before the read ran");
                return;
            }

            try
            {
                store.ExecuteRead(Request, Response);

                // Invariant 4 again after the read: a primary paused mid-read may resume after its lease ran out and a
                // new primary committed writes; what it read then must not be answered.
                if (!dispatcher.Lease.IsValid || replica.Role != Protocol.Meta.ReplicaRole.Primary)
                {
                    Response.ClearResult();
                    Response.Error = ErrorCode.InvalidState;
                    Response.ErrorMessage = $"partition {replica.Id} lost its lease or primary role during the read";
                }
            }
            catch (Exception exception)
            {
                LogErrorReadFailed(dispatcher._logger, exception, Request.OpCase, Request.AppId, Request.PartitionIndex);
                Response.ClearResult();
                Response.Error = ErrorCode.IoError;
                Response.ErrorMessage = exception.Message;
            }
            finally
            {
                replica.ExitRead();
            }

            Complete();
        }

        public void Complete()
        {
            dispatcher._instruments.RequestCompleted(Request.OpCase, Response.Error, _startTimestamp);
            if (Activity is { } activity)
            {
                activity.SetTag("pegasus.error", Response.Error.ToString());
                if (Response.Decree != 0)
                {
                    activity.SetTag("pegasus.decree", Response.Decree);
                }

                // Not found and failed checks are answers, not failures.
                if (Response.Error is not (ErrorCode.Ok or ErrorCode.NotFound or ErrorCode.TryAgain or ErrorCode.Incomplete))
                {
                    activity.SetStatus(ActivityStatusCode.Error, Response.ErrorMessage);
                }

                activity.Stop();
            }

            sender.Send(Response);
        }
    }
}
