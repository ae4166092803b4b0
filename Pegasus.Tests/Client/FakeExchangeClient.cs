using System.Threading.Channels;
using Grpc.Core;
using Pegasus.Protocol.Data;

namespace Pegasus.Tests.Client;

/// <summary>
/// The one fake of the client tests: the generated ReplicaData client standing in for a replica server, whose
/// Exchange calls return this object as both request writer and response reader. Tests read what the client
/// wrote and answer in any order, by hand or through <see cref="Handler"/>.
/// </summary>
internal sealed class FakeExchangeClient : ReplicaData.ReplicaDataClient, IClientStreamWriter<RequestBatch>, IAsyncStreamReader<ResponseBatch>
{
    private readonly Channel<RequestBatch> _written = Channel.CreateUnbounded<RequestBatch>();
    private Channel<ResponseBatch> _responses = Channel.CreateUnbounded<ResponseBatch>();
    private TaskCompletionSource? _writeGate;
    private int _exchangeCount;
    private int _writeCount;

    public int ExchangeCount => Volatile.Read(ref _exchangeCount);

    /// <summary>How many batches the client has written so far.</summary>
    public int WriteCount => Volatile.Read(ref _writeCount);

    public ResponseBatch Current { get; private set; } = new();

    public WriteOptions? WriteOptions { get; set; }

    /// <summary>When set, answers every request as it is written (null: leave it unanswered).</summary>
    public Func<DataRequest, DataResponse?>? Handler { get; set; }

    public override AsyncDuplexStreamingCall<RequestBatch, ResponseBatch> Exchange(CallOptions options)
    {
        Interlocked.Increment(ref _exchangeCount);

        // A new stream: answers go to the new call (the old one is broken or finished by now).
        _responses = Channel.CreateUnbounded<ResponseBatch>();
        return new AsyncDuplexStreamingCall<RequestBatch, ResponseBatch>(
            this, this, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    /// <summary>The next write (from now on) is recorded but does not complete until <see cref="ReleaseWrites"/>.</summary>
    public void HoldWrites() => _writeGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseWrites() => Interlocked.Exchange(ref _writeGate, null)?.SetResult();

    public Task WriteAsync(RequestBatch message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(RequestBatch message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writeCount);
        _written.Writer.TryWrite(message.Clone());
        if (Handler is { } handler)
        {
            var responses = new List<DataResponse>();
            foreach (var request in message.Requests)
            {
                if (handler(request) is { } response)
                {
                    // Answer the request's own id unless the handler chose one.
                    response.Id = response.Id == 0 ? request.Id : response.Id;
                    responses.Add(response);
                }
            }

            if (responses.Count > 0)
            {
                Respond(responses);
            }
        }

        if (_writeGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
    }

    public Task CompleteAsync() => Task.CompletedTask;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        var responses = _responses;
        if (!await responses.Reader.WaitToReadAsync(cancellationToken))
        {
            return false;
        }

        Current = await responses.Reader.ReadAsync(cancellationToken);
        return true;
    }

    public async Task<RequestBatch> NextBatchAsync(CancellationToken cancellationToken) => await _written.Reader.ReadAsync(cancellationToken);

    /// <summary>Reads written batches until <paramref name="count"/> requests were seen.</summary>
    public async Task<List<DataRequest>> ReadRequestsAsync(int count, CancellationToken cancellationToken)
    {
        var requests = new List<DataRequest>();
        while (requests.Count < count)
        {
            requests.AddRange((await NextBatchAsync(cancellationToken)).Requests);
        }

        return requests;
    }

    public void Respond(IEnumerable<DataResponse> responses) => _responses.Writer.TryWrite(new ResponseBatch { Responses = { responses } });

    /// <summary>Breaks the current stream as a dead server would.</summary>
    public void Break() => _responses.Writer.TryComplete(new RpcException(new Status(StatusCode.Unavailable, "connection reset")));
}
