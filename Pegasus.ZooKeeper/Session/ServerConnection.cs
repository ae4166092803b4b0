using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;
using Pegasus.ZooKeeper.Operations;
using Pegasus.ZooKeeper.Protocol;

namespace Pegasus.ZooKeeper.Session;

/// <summary>What a <see cref="ServerConnection"/> reports to its session.</summary>
internal interface IConnectionOwner
{
    /// <summary>A watch notification arrived (called on the receive loop, in arrival order).</summary>
    void OnWatchEvent(in WatcherEventRecord watcherEvent);

    /// <summary>A reply carried a zxid; the session resumes from the highest one it saw.</summary>
    void OnZxid(long zxid);

    /// <summary>A reply to a request nobody waits for (SetWatches) reported an error.</summary>
    void OnUnexpectedReply(ServerAddress server, int xid, int error);
}

/// <summary>
/// One TCP connection to one server, after a successful session handshake: a send loop writing
/// queued frames, a receive loop matching replies to requests by xid, and a heartbeat that pings at
/// a third of the session timeout and drops the connection when nothing arrived for two thirds of it.
/// </summary>
/// <remarks>
/// Requests get their xid and enter the send queue under one lock, so the wire order is xid order,
/// which is the order the server answers in. When the connection ends, every request still waiting
/// for its reply fails with <see cref="ConnectionLossException"/>: it may or may not have been applied.
/// </remarks>
internal sealed partial class ServerConnection : IAsyncDisposable
{
    /// <summary>Frames beyond this are treated as corruption (the server's jute.maxbuffer defaults to 1 MiB).</summary>
    public const int MaxFrameLength = 16 * 1024 * 1024;

    private const int ReplyHeaderLength = 16;

    private readonly Stream _stream;
    private readonly TimeProvider _timeProvider;
    // Guards _closed, _nextXid, _pending and the order of writes into _outgoing.
    private readonly Lock _sendGate = new();
    private readonly Dictionary<int, PendingRequest> _pending = [];
    private readonly Channel<OutgoingFrame> _outgoing = Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abort = new();
    private bool _closed;
    private int _nextXid;
    private long _lastSendTimestamp;
    private long _lastReceiveTimestamp;
    private string _abortReason = "closed";
    private Task<string>? _completion;

    private ServerConnection(ServerAddress server, Stream stream, ConnectResponse session, TimeProvider timeProvider)
    {
        Server = server;
        Session = session;
        _stream = stream;
        _timeProvider = timeProvider;
        _lastSendTimestamp = _lastReceiveTimestamp = timeProvider.GetTimestamp();
    }

    /// <summary>The server this connection talks to.</summary>
    public ServerAddress Server { get; }

    /// <summary>The server's answer to the handshake.</summary>
    public ConnectResponse Session { get; }

    /// <summary>Completes with the reason once the connection ended and its pending requests were failed.</summary>
    public Task<string> Completion => _completion ?? Task.FromResult(_abortReason);

    /// <summary>Connects and performs the session handshake within <paramref name="timeout"/>.</summary>
    public static async Task<ServerConnection> OpenAsync(
        ServerAddress server, ConnectRequest request, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeoutCts = new CancellationTokenSource(timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
            try
            {
                await socket.ConnectAsync(server.Host, server.Port, linked.Token).ConfigureAwait(false);
                var stream = new NetworkStream(socket, ownsSocket: true);
                var frame = request.ToFrame();
                try
                {
                    await stream.WriteAsync(frame.Memory, linked.Token).ConfigureAwait(false);
                }
                finally
                {
                    frame.Release();
                }

                var lengthBytes = new byte[4];
                await stream.ReadExactlyAsync(lengthBytes, linked.Token).ConfigureAwait(false);
                var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
                // protocolVersion + timeout + session id + password length = 20 bytes at least.
                if (length is < 20 or > 4096)
                {
                    throw new MarshallingErrorException($"Invalid handshake reply length {length} from {server}.");
                }

                var body = new byte[length];
                await stream.ReadExactlyAsync(body, linked.Token).ConfigureAwait(false);
                var reader = new JuteReader(body);
                return new ServerConnection(server, stream, ConnectResponse.Read(ref reader), timeProvider);
            }
            catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No session handshake with {server} within {timeout.TotalMilliseconds:F0} ms.");
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts the loops; <paramref name="stopToken"/> ends the connection when the client closes.</summary>
    public void Start(IConnectionOwner owner, TimeSpan sessionTimeout, CancellationToken stopToken) =>
        _completion = RunAsync(owner, sessionTimeout, stopToken);

    /// <summary>
    /// Assigns the next xid, records the request as pending and queues its frame; false when the
    /// connection already ended (the request was not sent and may go to the next connection).
    /// </summary>
    public bool TrySend(PendingRequest request)
    {
        lock (_sendGate)
        {
            if (_closed)
            {
                return false;
            }

            // Xids are positive; negative ones are reserved (pings, notifications, SetWatches).
            _nextXid = _nextXid == int.MaxValue ? 1 : _nextXid + 1;
            using var writer = new JuteWriter();
            writer.WriteInt32(_nextXid);
            writer.WriteInt32(request.OpCode);
            request.WriteBody(writer);
            var frame = writer.ToFrame();
            _pending.Add(_nextXid, request);
            _outgoing.Writer.TryWrite(frame);
            return true;
        }
    }

    /// <summary>Drops the connection; pending requests fail with <see cref="ConnectionLossException"/>.</summary>
    public void Abort(string reason)
    {
        lock (_sendGate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _abortReason = reason;
        }

        _outgoing.Writer.TryComplete();
        _abort.Cancel();
        // Closing the stream breaks a read or write that does not observe the token promptly.
        _stream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Abort("disposed");
        if (_completion is not null)
        {
            await _completion.ConfigureAwait(false);
        }

        _abort.Dispose();
    }

    private void SendControl(OutgoingFrame frame)
    {
        lock (_sendGate)
        {
            if (_closed || !_outgoing.Writer.TryWrite(frame))
            {
                frame.Release();
            }
        }
    }

    private async Task<string> RunAsync(IConnectionOwner owner, TimeSpan sessionTimeout, CancellationToken stopToken)
    {
        using var stopRegistration = stopToken.Register(() => Abort("the client is closing"));
        var send = SendLoopAsync();
        var heartbeat = HeartbeatLoopAsync(sessionTimeout);
        try
        {
            await ReceiveLoopAsync(owner).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            Abort("the server closed the connection");
        }
        catch (Exception ex)
        {
            Abort(ex is OperationCanceledException or ObjectDisposedException ? _abortReason : ex.Message);
        }

        await Task.WhenAll(send, heartbeat).ConfigureAwait(false);

        List<PendingRequest> orphans;
        lock (_sendGate)
        {
            orphans = [.. _pending.Values];
            _pending.Clear();
        }

        foreach (var request in orphans)
        {
            request.Fail(new ConnectionLossException($"The connection to ZooKeeper server {Server} was lost ({_abortReason}) before the reply arrived."));
        }

        while (_outgoing.Reader.TryRead(out var frame))
        {
            frame.Release();
        }

        return _abortReason;
    }
}
