using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Pegasus.Protocol.Data;

namespace Pegasus.Tests.Replica;

/// <summary>
/// A bare <c>ReplicaData.Exchange</c> stream for tests (no client library): requests get ids and
/// are sent in batches; a reader completes each request's task when its response arrives.
/// </summary>
internal sealed class RawDataStream : IAsyncDisposable
{
    /// <summary>Bounds every wait for responses, so a server that never answers fails the test instead of hanging it.</summary>
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(60);

    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<RequestBatch, ResponseBatch> _call;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<DataResponse>> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _reader;
    private long _nextId;

    public RawDataStream(string address)
    {
        _channel = GrpcChannel.ForAddress(address);
        _call = new ReplicaData.ReplicaDataClient(_channel).Exchange();
        _reader = Task.Run(ReadAllAsync);
    }

    /// <summary>Gets the number of response batches received, to observe batching.</summary>
    public int BatchesReceived { get; private set; }

    public async Task<DataResponse> SendAsync(DataRequest request, CancellationToken cancellationToken = default) =>
        (await SendBatchAsync([request], cancellationToken))[0];

    /// <summary>Sends the requests as one batch and waits for all their responses.</summary>
    public async Task<DataResponse[]> SendBatchAsync(IReadOnlyList<DataRequest> requests, CancellationToken cancellationToken = default)
    {
        var batch = new RequestBatch();
        var completions = new List<Task<DataResponse>>(requests.Count);
        foreach (var request in requests)
        {
            var copy = request.Clone();
            copy.Id = (ulong)Interlocked.Increment(ref _nextId);
            var completion = new TaskCompletionSource<DataResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[copy.Id] = completion;
            completions.Add(completion.Task);
            batch.Requests.Add(copy);
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _call.RequestStream.WriteAsync(batch, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }

        return await Task.WhenAll(completions).WaitAsync(ResponseTimeout, cancellationToken);
    }

    /// <summary>Half-closes the stream and waits until the server ends it.</summary>
    public async Task CompleteAsync()
    {
        await _call.RequestStream.CompleteAsync();
        await _reader;
    }

    public async ValueTask DisposeAsync()
    {
        _call.Dispose();
        try
        {
            await _reader;
        }
        catch (RpcException)
        {
            // Disposing cancels the call.
        }

        _channel.Dispose();
        _writeLock.Dispose();
    }

    private async Task ReadAllAsync()
    {
        try
        {
            await foreach (var batch in _call.ResponseStream.ReadAllAsync())
            {
                BatchesReceived++;
                foreach (var response in batch.Responses)
                {
                    if (_pending.TryRemove(response.Id, out var completion))
                    {
                        completion.TrySetResult(response);
                    }
                }
            }
        }
        catch (Exception exception)
        {
            foreach (var completion in _pending.Values)
            {
                completion.TrySetException(exception);
            }

            throw;
        }

        foreach (var completion in _pending.Values)
        {
            completion.TrySetException(new InvalidOperationException("The server ended the stream before answering."));
        }
    }
}
