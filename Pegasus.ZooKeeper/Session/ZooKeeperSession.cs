using Microsoft.Extensions.Logging;
using Pegasus.ZooKeeper.Operations;
using Pegasus.ZooKeeper.Watches;

namespace Pegasus.ZooKeeper.Session;

/// <summary>
/// The session behind a <see cref="ZooKeeperClient"/>: owns the current <see cref="ServerConnection"/>,
/// reconnects across the server list resuming the session, bounds the outstanding requests, and turns
/// the server's verdicts into state changes.
/// </summary>
/// <remarks>
/// Requests submitted while disconnected wait (up to the requested session timeout) for the next
/// connection; requests already sent when a connection drops fail with
/// <see cref="ConnectionLossException"/>; once the session expired or the client closed every request
/// fails with <see cref="SessionExpiredException"/> or <see cref="ObjectDisposedException"/>.
/// </remarks>
internal sealed partial class ZooKeeperSession : IConnectionOwner
{
    private static readonly TimeSpan CloseSessionTimeout = TimeSpan.FromSeconds(5);

    private readonly ZooKeeperClientOptions _options;
    private readonly IReadOnlyList<ServerAddress> _servers;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly WatchManager _watches;
    private readonly EventDispatcher _dispatcher;
    private readonly Action<ZooKeeperStateChange> _onStateChange;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();

    // Guards the state below; never held across an await.
    private readonly Lock _gate = new();
    private ZooKeeperConnectionState _state = ZooKeeperConnectionState.Connecting;
    private ServerConnection? _connection;
    // Completed whenever the state leaves Connecting/Disconnected, replaced when it returns there.
    private TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sessionId;
    private byte[] _password = new byte[16];
    private int _negotiatedTimeoutMs;
    private string? _lastServer;
    private bool _closing;
    private Task? _loop;
    private Task? _closeTask;
    private long _lastZxid;
    private int _nextServer;

    public ZooKeeperSession(
        ZooKeeperClientOptions options,
        ConnectionString connectionString,
        ILogger logger,
        TimeProvider timeProvider,
        WatchManager watches,
        EventDispatcher dispatcher,
        Action<ZooKeeperStateChange> onStateChange)
    {
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        _watches = watches;
        _dispatcher = dispatcher;
        _onStateChange = onStateChange;
        _slots = new SemaphoreSlim(options.MaxPendingRequests, options.MaxPendingRequests);
        Chroot = connectionString.Chroot;
        // Shuffled like the Java client so many clients spread over the ensemble.
        var servers = connectionString.Servers.ToArray();
        Random.Shared.Shuffle(servers);
        _servers = servers;
    }

    public string? Chroot { get; }

    public ZooKeeperConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public long SessionId
    {
        get
        {
            lock (_gate)
            {
                return _sessionId;
            }
        }
    }

    public TimeSpan NegotiatedTimeout
    {
        get
        {
            lock (_gate)
            {
                return TimeSpan.FromMilliseconds(_negotiatedTimeoutMs);
            }
        }
    }

    public string? ConnectedServer
    {
        get
        {
            lock (_gate)
            {
                return _state == ZooKeeperConnectionState.Connected ? _connection?.Server.ToString() : null;
            }
        }
    }

    /// <summary>Starts connecting and waits for the first session (or fails after the connect timeout).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Task settled;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closing, typeof(ZooKeeperClient));
            if (_loop is not null)
            {
                throw new InvalidOperationException("The client is already connected or connecting.");
            }

            _loop = Task.Run(RunLoopAsync);
            settled = _settled.Task;
        }

        try
        {
            await settled.WaitAsync(_options.ConnectTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            await CloseAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new ConnectionLossException(
                $"No ZooKeeper server of {string.Join(",", _servers)} accepted a session within {_options.ConnectTimeout}.", ex);
        }

        lock (_gate)
        {
            // Closed concurrently with the first connection attempt.
            ObjectDisposedException.ThrowIf(_state == ZooKeeperConnectionState.Closed, typeof(ZooKeeperClient));
            if (_state == ZooKeeperConnectionState.Expired)
            {
                throw new SessionExpiredException("The ZooKeeper session expired while connecting.");
            }
        }
    }

    /// <summary>Sends <paramref name="request"/> once connected and returns its reply.</summary>
    public async Task<T> SubmitAsync<T>(PendingRequest<T> request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfUnusable();
        // The slot is held until the reply (or failure) arrives, not until the caller stops waiting,
        // so cancelled callers cannot pile up requests beyond MaxPendingRequests.
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        request.OnFinished(() => _slots.Release());
        var sent = false;
        try
        {
            var waitStart = _timeProvider.GetTimestamp();
            while (!sent)
            {
                var connection = await WaitForConnectionAsync(waitStart, cancellationToken).ConfigureAwait(false);
                // False only when that connection just ended: the request was not sent, try the next one.
                sent = connection.TrySend(request);
            }
        }
        finally
        {
            if (!sent)
            {
                request.Finish();
            }
        }

        return await request.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the session on the server (when connected) and stops; idempotent.</summary>
    public Task CloseAsync()
    {
        lock (_gate)
        {
            _closing = true;
            return _closeTask ??= CloseCoreAsync();
        }
    }

    private async Task CloseCoreAsync()
    {
        ServerConnection? connection;
        lock (_gate)
        {
            connection = _state == ZooKeeperConnectionState.Connected ? _connection : null;
        }

        if (connection is not null)
        {
            // closeSession makes the server drop the ephemeral nodes now instead of after the timeout.
            var request = new CloseSessionRequest();
            try
            {
                if (connection.TrySend(request))
                {
                    await request.Task.WaitAsync(CloseSessionTimeout, _timeProvider).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is ZooKeeperException or TimeoutException)
            {
                Log.CloseSessionFailed(_logger, SessionId, ex);
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        ZooKeeperConnectionState previous;
        long sessionId;
        lock (_gate)
        {
            previous = _state;
            sessionId = _sessionId;
            _state = ZooKeeperConnectionState.Closed;
            _settled.TrySetResult();
        }

        if (previous != ZooKeeperConnectionState.Closed)
        {
            // Watches still outstanding learn that they will never fire (expiry already told them).
            if (previous != ZooKeeperConnectionState.Expired)
            {
                DeliverSessionEnd(ZooKeeperConnectionState.Closed);
            }

            Log.Closed(_logger, sessionId);
            RaiseState(ZooKeeperConnectionState.Closed, sessionId, _lastServer);
        }

        await _dispatcher.CompleteAsync().ConfigureAwait(false);
    }

    private void ThrowIfUnusable()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closing || _state == ZooKeeperConnectionState.Closed, typeof(ZooKeeperClient));
            if (_state == ZooKeeperConnectionState.Expired)
            {
                throw new SessionExpiredException($"ZooKeeper session 0x{_sessionId:x} has expired.");
            }

            if (_loop is null)
            {
                throw new InvalidOperationException("Call ConnectAsync before using the client.");
            }
        }
    }

    private async Task<ServerConnection> WaitForConnectionAsync(long startTimestamp, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task settled;
            lock (_gate)
            {
                ThrowIfUnusable();
                if (_state == ZooKeeperConnectionState.Connected && _connection is not null)
                {
                    return _connection;
                }

                settled = _settled.Task;
            }

            var remaining = _options.SessionTimeout - _timeProvider.GetElapsedTime(startTimestamp);
            if (remaining <= TimeSpan.Zero)
            {
                throw new ConnectionLossException($"Not connected to ZooKeeper within {_options.SessionTimeout}.");
            }

            try
            {
                await settled.WaitAsync(remaining, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Loop once more: the state check reports closing or expiry, the clock check the timeout.
            }
        }
    }

    private void RaiseState(ZooKeeperConnectionState state, long sessionId, string? server)
    {
        var change = new ZooKeeperStateChange(state, sessionId, server);
        _dispatcher.Enqueue(() => _onStateChange(change));
    }

    private void DeliverSessionEnd(ZooKeeperConnectionState state)
    {
        var ended = new WatchedEvent(WatchEventType.None, state, null);
        foreach (var watcher in _watches.TakeAll())
        {
            _dispatcher.Enqueue(() => watcher(ended));
        }
    }
}
