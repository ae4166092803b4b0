using Pegasus.ZooKeeper.Protocol;

namespace Pegasus.ZooKeeper.Session;

internal sealed partial class ZooKeeperSession
{
    private static readonly TimeSpan MinimumAttemptTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(1);

    public void OnWatchEvent(in WatcherEventRecord watcherEvent)
    {
        var type = (WatchEventType)watcherEvent.Type;
        if (type is not (WatchEventType.NodeCreated or WatchEventType.NodeDeleted
            or WatchEventType.NodeDataChanged or WatchEventType.NodeChildrenChanged))
        {
            // Session-level notifications and watch-removal events have no one-shot watcher to fire.
            return;
        }

        var watched = new WatchedEvent(type, ZooKeeperConnectionState.Connected, ZooKeeperPath.ToClient(Chroot, watcherEvent.Path));
        // Taken out of the tables here, on the receive loop, so the same event can never fire them twice.
        foreach (var watcher in _watches.Trigger(type, watcherEvent.Path))
        {
            _dispatcher.Enqueue(() => watcher(watched));
        }
    }

    public void OnZxid(long zxid)
    {
        // Only the receive loop of the current connection writes; the reconnect path reads.
        if (zxid > Volatile.Read(ref _lastZxid))
        {
            Volatile.Write(ref _lastZxid, zxid);
        }
    }

    public void OnUnexpectedReply(ServerAddress server, int xid, int error) => Log.UnexpectedReply(_logger, server.ToString(), xid, error);

    private async Task RunLoopAsync()
    {
        var stop = _stop.Token;
        var failures = 0;
        var requestedTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds;
        // Like the Java client, each server gets an equal share of the session timeout, but at most a
        // third of it: a server that accepts the connection and never answers the handshake (ZooKeeper
        // 3.8 can do that while it starts) must not use up the time left to resume the session.
        var attemptTimeout = TimeSpan.FromTicks(Math.Min(_options.SessionTimeout.Ticks / _servers.Count, _options.SessionTimeout.Ticks / 3));
        if (attemptTimeout < MinimumAttemptTimeout)
        {
            attemptTimeout = MinimumAttemptTimeout;
        }

        while (!stop.IsCancellationRequested)
        {
            var server = _servers[_nextServer];
            _nextServer = (_nextServer + 1) % _servers.Count;
            long sessionId;
            byte[] password;
            lock (_gate)
            {
                // After closeSession the server drops the connection; resuming would only report expiry.
                if (_closing)
                {
                    return;
                }

                sessionId = _sessionId;
                password = _password;
            }

            ServerConnection connection;
            try
            {
                Log.Connecting(_logger, server.ToString(), sessionId);
                var request = new ConnectRequest(Volatile.Read(ref _lastZxid), requestedTimeoutMs, sessionId, password);
                connection = await ServerConnection.OpenAsync(server, request, attemptTimeout, _timeProvider, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.ConnectAttemptFailed(_logger, server.ToString(), ex);
                failures++;
                if (!await BackoffAsync(failures, stop).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (connection.Session.IsExpired)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                Expire(server);
                return;
            }

            failures = 0;
            await RunConnectionAsync(connection, sessionId, stop).ConfigureAwait(false);
        }
    }

    private async Task RunConnectionAsync(ServerConnection connection, long previousSessionId, CancellationToken stop)
    {
        var session = connection.Session;
        if (previousSessionId != 0)
        {
            // Resumed: replay the outstanding watches before any request can be queued behind them;
            // the server fires those whose nodes changed after the last zxid this client saw.
            var snapshot = _watches.Snapshot();
            if (!snapshot.IsEmpty)
            {
                Log.WatchesRestored(_logger, snapshot.Data.Count + snapshot.Exist.Count + snapshot.Child.Count, connection.Server.ToString());
                connection.SendSetWatches(Volatile.Read(ref _lastZxid), snapshot);
            }
        }

        connection.Start(this, TimeSpan.FromMilliseconds(session.TimeoutMilliseconds), stop);
        lock (_gate)
        {
            _sessionId = session.SessionId;
            _password = session.Password;
            _negotiatedTimeoutMs = session.TimeoutMilliseconds;
            _lastServer = connection.Server.ToString();
            _connection = connection;
            _state = ZooKeeperConnectionState.Connected;
            // Queued before anyone waiting for the connection resumes, so a subscriber that starts
            // after ConnectAsync returned already sees Connected.
            RaiseState(ZooKeeperConnectionState.Connected, session.SessionId, connection.Server.ToString());
            _settled.TrySetResult();
        }

        Log.Connected(_logger, connection.Server.ToString(), session.SessionId, session.TimeoutMilliseconds);

        var reason = await connection.Completion.ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _connection = null;
            if (_state == ZooKeeperConnectionState.Connected)
            {
                _state = ZooKeeperConnectionState.Disconnected;
                _settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                // A client that is closing goes straight to Closed.
                if (!_closing)
                {
                    RaiseState(ZooKeeperConnectionState.Disconnected, session.SessionId, connection.Server.ToString());
                }
            }
        }

        if (!stop.IsCancellationRequested)
        {
            Log.Disconnected(_logger, connection.Server.ToString(), session.SessionId, reason);
        }
    }

    private void Expire(ServerAddress server)
    {
        long sessionId;
        lock (_gate)
        {
            sessionId = _sessionId;
            _state = ZooKeeperConnectionState.Expired;
            _connection = null;
            DeliverSessionEnd(ZooKeeperConnectionState.Expired);
            RaiseState(ZooKeeperConnectionState.Expired, sessionId, server.ToString());
            _settled.TrySetResult();
        }

        Log.SessionExpired(_logger, sessionId);
    }

    /// <summary>Waits after a failed attempt: not at all within a pass over the servers, then growing up to a second.</summary>
    private async Task<bool> BackoffAsync(int failures, CancellationToken stop)
    {
        if (failures % _servers.Count != 0)
        {
            return true;
        }

        var passes = Math.Min(failures / _servers.Count, 5);
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaximumBackoff.TotalMilliseconds, 50 * (1 << passes)) * (0.5 + (Random.Shared.NextDouble() / 2)));
        try
        {
            await Task.Delay(delay, _timeProvider, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return false;
        }
    }
}
