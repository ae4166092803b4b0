using System.Globalization;
using System.Text.Json;
using Pegasus.Meta.ZooKeeper;
using Pegasus.ZooKeeper;

namespace Pegasus.Meta.Leadership.ZooKeeper;

public sealed partial class ZooKeeperLeadership
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _connection.StateChanged += OnConnectionStateChanged;
        try
        {
            var retryDelay = RetryInitialDelay;
            while (true)
            {
                TimeSpan? next;
                try
                {
                    next = await CheckAsync(stoppingToken);
                    retryDelay = RetryInitialDelay;
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // Connection loss, expiry, a closed client, ZooKeeper refusing a request: the election must
                    // go on. Leadership itself is dropped by the state events, not here.
                    LogStepFailed(_logger, exception, retryDelay);
                    next = retryDelay;
                    retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, RetryMaxDelay.Ticks));
                }

                await WaitForWakeAsync(next, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown; StopAsync resigns.
        }
        finally
        {
            _connection.StateChanged -= OnConnectionStateChanged;
        }
    }

    /// <summary>
    /// One look at the election: joins if this session has no node yet, then leads (lowest node) or
    /// follows the leader and watches the predecessor.
    /// </summary>
    /// <returns>When to look again without being woken: null to wait for an event, zero for at once.</returns>
    private async Task<TimeSpan?> CheckAsync(CancellationToken cancellationToken)
    {
        var client = await _connection.GetClientAsync(cancellationToken);
        if (client.State != ZooKeeperConnectionState.Connected)
        {
            // Reconnecting: the Connected or Expired event wakes the loop.
            return null;
        }

        var sessionId = client.SessionId;
        var own = await EnsureOwnNodeAsync(client, sessionId, cancellationToken);
        var children = await client.GetChildrenAsync(ElectionPath, cancellationToken: cancellationToken);
        var contenders = children.Children.Where(IsElectionNode).OrderBy(SequenceOf).ThenBy(name => name, StringComparer.Ordinal).ToList();
        var position = contenders.IndexOf(own);
        if (position < 0)
        {
            // The session lives but its node is gone (deleted by hand): join again.
            lock (_lock)
            {
                if (_ownSession == sessionId)
                {
                    _ownNode = null;
                }
            }

            Follow(_isLeader ? null : _leader, "this meta server's election node disappeared");
            return TimeSpan.Zero;
        }

        if (position == 0)
        {
            // Watched so that the node's removal (by hand, or by an operator forcing a failover) deposes
            // this leader at once; its writes are fenced on the node in any case.
            if (!string.Equals(Volatile.Read(ref _watchedOwn), own, StringComparison.Ordinal))
            {
                Volatile.Write(ref _watchedOwn, own);
                if (await client.ExistsAsync(ElectionPath + "/" + own, OnOwnNodeChanged, cancellationToken) is null)
                {
                    Interlocked.CompareExchange(ref _watchedOwn, null, own);
                    return TimeSpan.Zero;
                }
            }

            TryLead(client, sessionId);
            return null;
        }

        var leaderName = contenders[0];
        var predecessor = contenders[position - 1];
        var (exists, leader) = await ReadLeaderAsync(client, leaderName, cancellationToken);
        if (!exists)
        {
            // The leader left between the listing and the read: look again.
            return TimeSpan.Zero;
        }

        Follow(leader);
        if (!string.Equals(Volatile.Read(ref _watchedPredecessor), predecessor, StringComparison.Ordinal))
        {
            // Recorded before the watch is set, so a watch firing at once clears it again.
            Volatile.Write(ref _watchedPredecessor, predecessor);
            if (await client.ExistsAsync(ElectionPath + "/" + predecessor, OnPredecessorChanged, cancellationToken) is null)
            {
                Interlocked.CompareExchange(ref _watchedPredecessor, null, predecessor);
                return TimeSpan.Zero;
            }

            LogStandby(_logger, own, predecessor, leader?.GrpcAddress);
        }

        // With three or more meta servers the predecessor may not be the leader, so a leader change would
        // not wake this standby: re-read who leads now and then, rather than watch the leader with everyone.
        return predecessor == leaderName ? null : _refreshInterval;
    }

    /// <summary>This session's election node (its name), created if it has none.</summary>
    private async Task<string> EnsureOwnNodeAsync(ZooKeeperClient client, long sessionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_ownNode is { } node && _ownSession == sessionId)
            {
                return NameOf(node);
            }
        }

        await EnsureElectionPathAsync(client, cancellationToken);

        // A create whose reply was lost with the connection may have made the node already: its name
        // carries this instance's id, and its owner is this session. Creating another would leave a ghost
        // contender ahead of or behind this one for the session's whole life.
        var path = await FindOwnNodeAsync(client, sessionId, cancellationToken)
            ?? await client.CreateAsync(ElectionPath + "/" + _instancePrefix, _nodeData, CreateMode.EphemeralSequential, cancellationToken);
        lock (_lock)
        {
            _ownNode = path;
            _ownSession = sessionId;
        }

        Volatile.Write(ref _watchedPredecessor, null);
        Volatile.Write(ref _watchedOwn, null);
        LogJoined(_logger, path, sessionId);
        return NameOf(path);
    }

    private async Task<string?> FindOwnNodeAsync(ZooKeeperClient client, long sessionId, CancellationToken cancellationToken)
    {
        var children = await client.GetChildrenAsync(ElectionPath, cancellationToken: cancellationToken);
        foreach (var child in children.Children.Where(name => name.StartsWith(_instancePrefix, StringComparison.Ordinal)))
        {
            var path = ElectionPath + "/" + child;
            if (await client.ExistsAsync(path, cancellationToken: cancellationToken) is { } stat && stat.EphemeralOwner == sessionId)
            {
                return path;
            }
        }

        return null;
    }

    private async Task EnsureElectionPathAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        if (await client.ExistsAsync(ElectionPath, cancellationToken: cancellationToken) is not null)
        {
            return;
        }

        // Its parents may have been made by another meta server or the state store first.
        await client.CreatePersistentPathAsync(ElectionPath, cancellationToken);
    }

    /// <summary>Reads the leader's addresses from its node; <c>Exists</c> is false when the node is gone.</summary>
    private async Task<(bool Exists, MetaLeaderAddresses? Leader)> ReadLeaderAsync(ZooKeeperClient client, string leaderName, CancellationToken cancellationToken)
    {
        DataResult node;
        try
        {
            node = await client.GetDataAsync(ElectionPath + "/" + leaderName, cancellationToken: cancellationToken);
        }
        catch (NoNodeException)
        {
            return (false, null);
        }

        try
        {
            var data = JsonSerializer.Deserialize(node.Data.Span, LeaderNodeJsonContext.Default.LeaderNodeData);
            return (true, data is null ? null : new MetaLeaderAddresses(data.GrpcAddress, data.HttpAddress));
        }
        catch (JsonException exception)
        {
            // A contender this server cannot read still leads; callers just cannot be pointed at it.
            LogUnreadableLeader(_logger, exception, leaderName);
            return (true, null);
        }
    }

    private async Task WaitForWakeAsync(TimeSpan? delay, CancellationToken stoppingToken)
    {
        if (delay == TimeSpan.Zero)
        {
            // Looking again at once covers any wake already pending.
            _wake.Reader.TryRead(out _);
            return;
        }

        using var timeout = delay is { } wait ? new CancellationTokenSource(wait, _timeProvider) : null;
        using var linked = timeout is null
            ? CancellationTokenSource.CreateLinkedTokenSource(stoppingToken)
            : CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            await _wake.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The refresh interval passed.
        }
    }

    private async Task ResignAsync()
    {
        string? node;
        lock (_lock)
        {
            node = _ownNode;
            _ownNode = null;
            _ownSession = 0;
        }

        Follow(null, "this meta server is shutting down");
        if (node is null || _connection.Current is not { State: ZooKeeperConnectionState.Connected } client)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(ResignTimeout, _timeProvider);
            await client.DeleteAsync(node, -1, timeout.Token);
            LogResigned(_logger, node);
        }
        catch (Exception exception) when (exception is ZooKeeperException or OperationCanceledException or ObjectDisposedException)
        {
            // The node goes with the session anyway (closed at shutdown, or expired).
            LogStepFailed(_logger, exception, TimeSpan.Zero);
        }
    }

    private static bool IsElectionNode(string name)
        => name.StartsWith(NodePrefix, StringComparison.Ordinal)
            && name.Length > NodePrefix.Length + SequenceDigits
            && name.AsSpan(name.Length - SequenceDigits).IndexOfAnyExceptInRange('0', '9') < 0;

    private static long SequenceOf(string name)
        => long.Parse(name.AsSpan(name.Length - SequenceDigits), NumberStyles.None, CultureInfo.InvariantCulture);

    private static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}
