using Grpc.Core;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Diagnostics;

namespace Pegasus.Replica.Grpc;

/// <summary>
/// The client data path: one long-lived bidirectional stream per (client, replica server).
/// Requests arrive in batches and are dispatched one by one; responses go back out of order
/// through the stream's <see cref="ResponseSender"/>, batched by whatever is queued.
/// </summary>
public sealed partial class ReplicaDataService(
    RequestDispatcher dispatcher,
    IHostApplicationLifetime lifetime,
    ILogger<ReplicaDataService> logger) : ReplicaData.ReplicaDataBase
{
    /// <inheritdoc />
    public override async Task Exchange(
        IAsyncStreamReader<RequestBatch> requestStream,
        IServerStreamWriter<ResponseBatch> responseStream,
        ServerCallContext context)
    {
        // The call ends when the client goes away or the node stops, whichever comes first.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(
            context.CancellationToken, lifetime.ApplicationStopping);
        var cancellationToken = cancellation.Token;
        var sender = new ResponseSender(responseStream);
        var sending = SendAllAsync(sender, cancellation);
        var requestsCompleted = false;
        try
        {
            while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                foreach (var request in requestStream.Current.Requests)
                {
                    await dispatcher.DispatchAsync(request, sender, cancellationToken).ConfigureAwait(false);
                }
            }

            // The client is done sending; the call ends once the sender has answered everything.
            sender.RequestsCompleted();
            requestsCompleted = true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the node is stopping: nobody is left to answer.
        }
        catch (IOException exception)
        {
            // The connection broke mid-read.
            LogDebugStreamFailed(logger, exception, context.Peer);
        }
        finally
        {
            if (!requestsCompleted)
            {
                sender.Abort();
                await cancellation.CancelAsync().ConfigureAwait(false);
            }

            // The sender must be done before the token source it cancels is disposed.
            await sending.ConfigureAwait(false);
        }
    }

    private async Task SendAllAsync(ResponseSender sender, CancellationTokenSource cancellation)
    {
        try
        {
            await sender.RunAsync(cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The call is over.
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException)
        {
            // Writing failed (the client is gone): stop reading too.
            LogDebugStreamFailed(logger, exception, "response stream");
            await cancellation.CancelAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.StreamFailed, Level = LogLevel.Debug,
        Message = "Data stream with {Peer} failed")]
    private static partial void LogDebugStreamFailed(ILogger logger, Exception exception, string peer);
}
