using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Pegasus.Client.Diagnostics;
using Pegasus.Protocol.Data;

namespace Pegasus.Client.Transport;

/// <summary>
/// One <c>ReplicaData.Exchange</c> bidirectional stream. A single sender loop drains every queued request into
/// one <see cref="RequestBatch"/> per write; a single receiver loop completes pending requests by id, in any
/// order. When the stream breaks every pending request fails with a <see cref="ReplicaConnectionException"/>
/// and the session is done: the owning <see cref="ReplicaConnection"/> opens a new one on the next request.
/// </summary>
internal sealed class ExchangeSession
{
    private readonly string _address;
    private readonly AsyncDuplexStreamingCall<RequestBatch, ResponseBatch> _call;
    private readonly CancellationTokenSource _stop;
    private readonly int _maxBatchBytes;
    private readonly ILogger _logger;
    private readonly Channel<(DataRequest Request, int Size)> _outbox = Channel.CreateUnbounded<(DataRequest Request, int Size)>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<DataResponse>> _pending = new();
    private int _closed;

    private ExchangeSession(string address, AsyncDuplexStreamingCall<RequestBatch, ResponseBatch> call, CancellationTokenSource stop, int maxBatchBytes, ILogger logger)
    {
        _address = address;
        _call = call;
        _stop = stop;
        _maxBatchBytes = maxBatchBytes;
        _logger = logger;
    }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public int PendingCount => _pending.Count;

    public static ExchangeSession Open(string address, ReplicaData.ReplicaDataClient client, int maxBatchBytes, ILogger logger)
    {
        var stop = new CancellationTokenSource();
        var call = client.Exchange(cancellationToken: stop.Token);
        var session = new ExchangeSession(address, call, stop, maxBatchBytes, logger);

        // Task.Run: the loops must not start on the caller's stack, which holds the connection's lock.
        _ = Task.Run(session.SendLoopAsync);
        _ = Task.Run(session.ReceiveLoopAsync);
        logger.LogDebugStreamOpened(address);
        return session;
    }

    /// <summary>Queues <paramref name="request"/> (its id already set) and returns the task its response completes.</summary>
    /// <param name="request">The request.</param>
    /// <param name="size">The request's <see cref="DataRequest.CalculateSize"/>, measured with its id (for batching).</param>
    public Task<DataResponse> Enqueue(DataRequest request, int size)
    {
        var pending = new TaskCompletionSource<DataResponse>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Registered before the write: the response can arrive before TryWrite returns.
        _pending[request.Id] = pending;

        // Close() completes the outbox before it fails the pending map, so a request either got into
        // the outbox in time to be failed by that sweep, or its TryWrite fails here.
        if (!_outbox.Writer.TryWrite((request, size)))
        {
            _pending.TryRemove(request.Id, out _);
            pending.TrySetException(new ReplicaConnectionException(_address, $"the data stream to {_address} is closed"));
        }

        return pending.Task;
    }

    /// <summary>Forgets a request whose caller gave up (timeout or cancellation); a late response is dropped.</summary>
    public void Abandon(ulong id) => _pending.TryRemove(id, out _);

    /// <summary>Ends the session and fails everything pending with a retryable connection error.</summary>
    public void Close(Exception cause, bool expected)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _outbox.Writer.TryComplete();
        var error = cause as ReplicaConnectionException
            ?? new ReplicaConnectionException(_address, $"the data stream to {_address} broke: {cause.Message}", cause);
        var failed = 0;
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending) && pending.TrySetException(error))
            {
                failed++;
            }
        }

        if (!expected)
        {
            _logger.LogInformationStreamFailed(_address, failed, cause);
        }

        // Cancelling the call's token resets the HTTP/2 stream; the loops see it and exit.
        _stop.Cancel();
        _call.Dispose();
    }

    private async Task SendLoopAsync()
    {
        var reader = _outbox.Reader;
        (DataRequest Request, int Size)? carried = null;
        try
        {
            while (carried is not null || await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                var batch = new RequestBatch();
                var bytes = 0;
                if (carried is { } first)
                {
                    batch.Requests.Add(first.Request);
                    bytes = FramedSize(first.Size);
                    carried = null;
                }

                while (reader.TryRead(out var queued))
                {
                    var (request, requestSize) = queued;

                    // The caller already gave up on it; sending would only load the server.
                    if (!_pending.ContainsKey(request.Id))
                    {
                        continue;
                    }

                    // A batch stays within MaxBatchBytes unless its first request alone is larger; that one is
                    // bounded by ReplicaConnection (DataStreamLimits.MaxRequestBytes), so every message stays
                    // below the server's receive limit.
                    var size = FramedSize(requestSize);
                    if (batch.Requests.Count > 0 && bytes + size > _maxBatchBytes)
                    {
                        carried = queued;
                        break;
                    }

                    batch.Requests.Add(request);
                    bytes += size;
                }

                if (batch.Requests.Count > 0)
                {
                    await _call.RequestStream.WriteAsync(batch, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Close() already ran.
        }
        catch (Exception ex)
        {
            Close(ex, expected: false);
        }
    }

    /// <summary>A request's bytes inside the batch message: field tag, length prefix and the request.</summary>
    private static int FramedSize(int requestSize) => 1 + CodedOutputStream.ComputeLengthSize(requestSize) + requestSize;

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_stop.Token).ConfigureAwait(false))
            {
                foreach (var response in _call.ResponseStream.Current.Responses)
                {
                    // Unknown ids belong to callers that timed out or were cancelled.
                    if (_pending.TryRemove(response.Id, out var pending))
                    {
                        pending.TrySetResult(response);
                    }
                }
            }

            Close(new ReplicaConnectionException(_address, $"replica server {_address} closed the data stream"), expected: false);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Close() already ran; the exception is the cancellation it caused.
        }
        catch (Exception ex)
        {
            Close(ex, expected: false);
        }
    }
}
