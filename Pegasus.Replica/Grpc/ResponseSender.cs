using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Replica.Grpc;

/// <summary>
/// The sending half of one <c>Exchange</c> stream. Responses are queued from any thread; one loop
/// drains everything queued into a single <see cref="ResponseBatch"/> per write, so under load
/// responses batch themselves and a lone response is written at once.
/// </summary>
/// <remarks>
/// The sender also counts requests in flight so the call can end only after the client finished
/// sending and every request it sent has been answered. The count starts at one for the request
/// reader itself; whoever brings it to zero completes the queue.
/// </remarks>
public sealed class ResponseSender
{
    private readonly IServerStreamWriter<ResponseBatch> _stream;
    private readonly Channel<DataResponse> _queue = Channel.CreateUnbounded<DataResponse>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private int _inFlight = 1;

    /// <summary>Creates a sender writing to <paramref name="stream"/>.</summary>
    /// <param name="stream">The call's response stream; only this sender writes to it.</param>
    public ResponseSender(IServerStreamWriter<ResponseBatch> stream) => _stream = stream;

    /// <summary>Counts a request whose response will be passed to <see cref="Send"/> later.</summary>
    public void BeginRequest() => Interlocked.Increment(ref _inFlight);

    /// <summary>Queues the response of a request counted by <see cref="BeginRequest"/>.</summary>
    /// <param name="response">The response.</param>
    public void Send(DataResponse response)
    {
        // Fails only once the stream is gone, when nobody is left to answer.
        _queue.Writer.TryWrite(response);
        EndRequest();
    }

    /// <summary>Marks the end of the client's requests; the queue completes once all are answered.</summary>
    public void RequestsCompleted() => EndRequest();

    /// <summary>Drops everything still queued and stops the loop; the call is over.</summary>
    public void Abort() => _queue.Writer.TryComplete();

    /// <summary>Writes batches until every request is answered or <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="cancellationToken">The call's token.</param>
    /// <returns>A task that completes when the loop ends.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var batch = new ResponseBatch();
            var bytes = 0;
            // A batch ends once it reaches MaxResponseBatchBytes, so with its last response (at most
            // MaxResponseBytes) a message stays below the gRPC send limit and the client's receive limit.
            while (bytes < DataStreamLimits.MaxResponseBatchBytes && reader.TryRead(out var response))
            {
                var size = response.CalculateSize();
                if (size > DataStreamLimits.MaxResponseBytes)
                {
                    response = TooLarge(response, size);
                    size = response.CalculateSize();
                }

                batch.Responses.Add(response);
                bytes += 1 + CodedOutputStream.ComputeLengthSize(size) + size;
            }

            await _stream.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The answer in place of a response too large for one message: sending it would fail the stream and every
    /// request on it. Only reads of many large values get here (storage bounds range reads and scan batches).
    /// </summary>
    private static DataResponse TooLarge(DataResponse response, int size) => new()
    {
        Id = response.Id,
        AppId = response.AppId,
        PartitionIndex = response.PartitionIndex,
        Decree = response.Decree,
        Server = response.Server,
        Error = ErrorCode.InvalidArgument,
        ErrorMessage = $"the {response.ResultCase} response is {size} bytes, over the data stream's limit of {DataStreamLimits.MaxResponseBytes} bytes; read fewer or smaller records per request",
    };

    private void EndRequest()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            _queue.Writer.TryComplete();
        }
    }
}
