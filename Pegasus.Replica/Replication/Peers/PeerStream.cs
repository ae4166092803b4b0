using System.Threading.Channels;
using Grpc.Core;
using Pegasus.Protocol.Replication;

namespace Pegasus.Replica.Replication.Peers;

/// <summary>
/// One prepare stream to a peer: prepares queued by any partition are drained into one batch per write, and
/// acknowledgements are handed to the pool as they arrive. Once broken it takes nothing more.
/// </summary>
internal sealed class PeerStream : IAsyncDisposable
{
    // Each batch stays well below the message limit even with the last prepare added (a prepare is at most one batch of writes).
    private const int MaxBatchBytes = 4 << 20;

    private readonly PeerStreamPool _pool;
    private readonly ReplicaReplication.ReplicaReplicationClient _client;
    private readonly Channel<PrepareMessage> _queue = Channel.CreateUnbounded<PrepareMessage>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private int _failed;

    public PeerStream(PeerStreamPool pool, string target, ReplicaReplication.ReplicaReplicationClient client)
    {
        _pool = pool;
        Target = target;
        _client = client;
        _run = Task.Run(RunAsync);
    }

    public string Target { get; }

    public bool TryEnqueue(PrepareMessage message) => _queue.Writer.TryWrite(message);

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _failed, 1);
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        Exception? failure = null;
        try
        {
            using var call = _client.Prepare(cancellationToken: _stop.Token);
            var receiving = ReceiveAsync(call.ResponseStream);
            var sending = SendAsync(call.RequestStream);

            // Either side ending ends the stream: a peer that stops answering cannot keep taking prepares.
            var first = await Task.WhenAny(receiving, sending).ConfigureAwait(false);
            await first.ConfigureAwait(false);
            failure = new IOException($"the prepare stream to {Target} ended");
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        finally
        {
            if (Interlocked.Exchange(ref _failed, 1) == 0)
            {
                _queue.Writer.TryComplete();
                await _stop.CancelAsync().ConfigureAwait(false);
                _pool.OnStreamFailed(this, failure);
            }
        }
    }

    private async Task SendAsync(IClientStreamWriter<PrepareBatch> requests)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
        {
            var batch = new PrepareBatch();
            var bytes = 0;
            while (bytes < MaxBatchBytes && reader.TryRead(out var message))
            {
                batch.Prepares.Add(message);
                bytes += EstimatedSize(message);
            }

            await requests.WriteAsync(batch, _stop.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An upper bound of a prepare's serialized size from its payload lengths: sizing it exactly would serialize the
    /// message's structure once more on the hot path, just before the stream serializes it for real.
    /// </summary>
    private static int EstimatedSize(PrepareMessage message)
    {
        // Per mutation: ballot and decree varints with tags, the request's tag and length, the entry's own framing.
        const int MutationOverhead = 32;
        const int MessageOverhead = 128;
        var size = MessageOverhead + message.Primary.Length;
        foreach (var mutation in message.Mutations)
        {
            size += mutation.Request.Length + MutationOverhead;
        }

        return size;
    }

    private async Task ReceiveAsync(IAsyncStreamReader<PrepareAckBatch> responses)
    {
        while (await responses.MoveNext(_stop.Token).ConfigureAwait(false))
        {
            foreach (var ack in responses.Current.Acks)
            {
                _pool.OnAck(Target, ack);
            }
        }
    }
}
