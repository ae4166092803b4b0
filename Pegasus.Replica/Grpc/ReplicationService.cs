using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Hosting;
using Pegasus.Replica.Replication;

namespace Pegasus.Replica.Grpc;

/// <summary>
/// The replica server's face to its peers: the prepare streams of the primaries it is a secondary or learner for, and
/// the learning calls of learners it is the primary for.
/// </summary>
public sealed partial class ReplicationService(
    ReplicaManager replicas,
    IOptions<ReplicaOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ReplicationService> logger) : ReplicaReplication.ReplicaReplicationBase
{
    private const int CheckpointChunkBytes = 1 << 20;

    private readonly string _dataDirectory = Path.GetFullPath(options.Value.DataDirectory);

    /// <inheritdoc/>
    public override async Task Prepare(IAsyncStreamReader<PrepareBatch> requestStream, IServerStreamWriter<PrepareAckBatch> responseStream, ServerCallContext context)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancellationToken = cancellation.Token;
        var toApply = new HashSet<ReplicaWritePipeline>();
        try
        {
            while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                // Log and acknowledge the whole batch first, then apply: the primary's commit waits on the acknowledgement, not on this node's apply.
                var acks = new PrepareAckBatch();
                foreach (var message in requestStream.Current.Prepares)
                {
                    var (ack, pipeline) = replicas.HandlePrepare(message);
                    if (ack is not null)
                    {
                        acks.Acks.Add(ack);
                    }

                    if (pipeline is not null)
                    {
                        toApply.Add(pipeline);
                    }
                }

                if (acks.Acks.Count > 0)
                {
                    await responseStream.WriteAsync(acks, cancellationToken).ConfigureAwait(false);
                }

                foreach (var pipeline in toApply)
                {
                    pipeline.ApplyCommitted();
                }

                toApply.Clear();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The primary went away or this node is stopping.
        }
        catch (IOException exception)
        {
            LogDebugPrepareStreamFailed(logger, exception, context.Peer);
        }
    }

    /// <inheritdoc/>
    public override Task<StartLearningResponse> StartLearning(StartLearningRequest request, ServerCallContext context)
    {
        if (!TryGetPrimary(request.AppId, request.PartitionIndex, out var replica, out var pipeline, out var error))
        {
            return Task.FromResult(new StartLearningResponse { Error = ErrorCode.InvalidState, ErrorMessage = error });
        }

        if (!replica.Config.Learners.Contains(request.Learner) && !replica.Config.Secondaries.Contains(request.Learner))
        {
            return Task.FromResult(new StartLearningResponse
            {
                Error = ErrorCode.InvalidState,
                ErrorMessage = $"{request.Learner} is not a learner of partition {replica.Id} at ballot {replica.Ballot}",
            });
        }

        // A checkpoint flushes the memtable: blocking work, off the gRPC thread.
        return Task.Run(() => pipeline.StartLearning(request.LearnerAppliedDecree, replica.CreateCheckpoint));
    }

    /// <inheritdoc/>
    public override async Task FetchCheckpointFile(FetchCheckpointFileRequest request, IServerStreamWriter<CheckpointFileChunk> responseStream, ServerCallContext context)
    {
        var path = PartitionReplica.FindCheckpointFile(_dataDirectory, request.CheckpointId, request.Name)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"checkpoint {request.CheckpointId} has no file {request.Name}"));
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, CheckpointChunkBytes, useAsync: true);
        if (request.Offset < 0 || request.Offset > input.Length)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, $"offset {request.Offset} is outside {request.Name} ({input.Length} bytes)"));
        }

        input.Seek(request.Offset, SeekOrigin.Begin);
        var buffer = new byte[CheckpointChunkBytes];
        int read;
        while ((read = await input.ReadAsync(buffer, context.CancellationToken).ConfigureAwait(false)) > 0)
        {
            await responseStream.WriteAsync(new CheckpointFileChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override Task<FetchLogTailResponse> FetchLogTail(FetchLogTailRequest request, ServerCallContext context)
    {
        if (!TryGetPrimary(request.AppId, request.PartitionIndex, out _, out var pipeline, out var error))
        {
            return Task.FromResult(new FetchLogTailResponse { Error = ErrorCode.InvalidState, ErrorMessage = error });
        }

        return Task.FromResult(pipeline.FetchLogTail(request.Learner, request.FromDecree));
    }

    private bool TryGetPrimary(int appId, int partitionIndex, out PartitionReplica replica, out ReplicaWritePipeline pipeline, out string error)
    {
        pipeline = null!;
        if (!replicas.TryGetReplica(appId, partitionIndex, out replica))
        {
            error = $"partition {appId}.{partitionIndex} is not served by this node";
            return false;
        }

        if (replica.Role != ReplicaRole.Primary || replica.Pipeline is not { } open)
        {
            error = $"partition {appId}.{partitionIndex} is not primary on this node";
            return false;
        }

        pipeline = open;
        error = string.Empty;
        return true;
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.StreamFailed, Level = LogLevel.Debug, Message = "Prepare stream from {Peer} failed")]
    private static partial void LogDebugPrepareStreamFailed(ILogger logger, Exception exception, string peer);
}
