using System.Collections.Concurrent;
using Grpc.Net.Client;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Replication;

namespace Pegasus.Replica.Replication.Peers;

/// <summary>
/// The node's connections to peer replica servers: one gRPC channel per peer for learning calls, and one long-lived
/// prepare stream per peer that every partition the two share uses (DESIGN: prepares take the client stream's shape).
/// A stream that breaks is dropped and reported through <see cref="PeerFailed"/>: prepares queued on it may be lost,
/// so the primaries using it must not count on that peer; the next send opens a new stream.
/// </summary>
public sealed partial class PeerStreamPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PeerStream> _streams = new(StringComparer.Ordinal);
    private readonly TimeSpan _connectTimeout;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Creates the pool.</summary>
    /// <param name="connectTimeout">How long connecting to a peer may take.</param>
    /// <param name="logger">The logger.</param>
    public PeerStreamPool(TimeSpan connectTimeout, ILogger<PeerStreamPool> logger)
    {
        _connectTimeout = connectTimeout;
        _logger = logger;
    }

    /// <summary>Gets a pool that sends nothing, for a replica without peers (unit tests of one replica).</summary>
    public static PeerStreamPool None { get; } = new(TimeSpan.FromSeconds(1), Microsoft.Extensions.Logging.Abstractions.NullLogger<PeerStreamPool>.Instance);

    /// <summary>Raised on the stream's reader thread for every acknowledgement a peer sends.</summary>
    public event Action<string, PrepareAck>? AckReceived;

    /// <summary>Raised when a peer's stream broke.</summary>
    public event Action<string>? PeerFailed;

    /// <summary>Queues a prepare to a peer; never blocks.</summary>
    /// <param name="target">The peer's data address.</param>
    /// <param name="message">The prepare.</param>
    public void Send(string target, PrepareMessage message)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        while (true)
        {
            var stream = _streams.GetOrAdd(target, static (address, pool) => pool.Open(address), this);
            if (stream.TryEnqueue(message))
            {
                return;
            }

            // It broke between lookup and enqueue; it removes itself, and the next lookup opens a new one.
            _streams.TryRemove(new KeyValuePair<string, PeerStream>(target, stream));
        }
    }

    /// <summary>Gets a client for a peer's replication service (learning calls).</summary>
    /// <param name="target">The peer's data address.</param>
    /// <returns>The client.</returns>
    public ReplicaReplication.ReplicaReplicationClient GetClient(string target) => new(GetChannel(target));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var stream in _streams.Values)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }

    private PeerStream Open(string target) => new(this, target, GetClient(target));

    private GrpcChannel GetChannel(string target) => _channels.GetOrAdd(target, static (address, timeout) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = DataStreamLimits.MaxMessageBytes,
            MaxSendMessageSize = DataStreamLimits.MaxMessageBytes,
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = timeout,

                // A peer that stops answering (paused, or its host gone) is found by the pings, not a kernel timeout.
                KeepAlivePingDelay = TimeSpan.FromSeconds(2),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(2),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                EnableMultipleHttp2Connections = true,
            },
        }), _connectTimeout);

    internal void OnAck(string peer, PrepareAck ack) => AckReceived?.Invoke(peer, ack);

    internal void OnStreamFailed(PeerStream stream, Exception? exception)
    {
        _streams.TryRemove(new KeyValuePair<string, PeerStream>(stream.Target, stream));
        LogPeerStreamFailed(_logger, exception, stream.Target);
        PeerFailed?.Invoke(stream.Target);
    }

    [LoggerMessage(EventId = (int)Diagnostics.ReplicaEventId.PeerStreamFailed, Level = LogLevel.Warning,
        Message = "The prepare stream to {Peer} broke")]
    private static partial void LogPeerStreamFailed(ILogger logger, Exception? exception, string peer);
}
