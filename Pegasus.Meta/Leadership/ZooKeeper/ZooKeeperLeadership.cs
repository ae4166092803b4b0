using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Pegasus.Meta.Options;
using Pegasus.Meta.State.ZooKeeper;
using Pegasus.Meta.ZooKeeper;
using Pegasus.ZooKeeper;

namespace Pegasus.Meta.Leadership.ZooKeeper;

/// <summary>
/// Meta leader election on ZooKeeper (the lock recipe). Every meta server creates an ephemeral
/// sequential node under <c>/pegasus/&lt;cluster&gt;/leader</c> holding its addresses
/// (<see cref="LeaderNodeData"/>); the lowest sequence leads. A standby watches only the node just
/// below its own, so a leader's death wakes one standby, not all of them, and reads the lowest
/// node's data to name the leader to callers.
/// </summary>
/// <remarks>
/// Leading needs a connected session. When the connection drops this server stops leading at once
/// (the leadership token is cancelled): it cannot know whether its session survives, and the servers
/// may expire it and elect another leader while it is cut off. On reconnect it checks again and leads
/// again if its node is still the lowest; after expiry it joins again with a new session (its old
/// node is gone with the old session). Writes are fenced on the election node too
/// (<see cref="IZooKeeperWriteFence"/>), so a leader that has not yet noticed its loss cannot write.
/// </remarks>
public sealed partial class ZooKeeperLeadership : BackgroundService, IMetaLeadership, IZooKeeperWriteFence
{
    private const string NodePrefix = "meta-";
    private const int SequenceDigits = 10;
    private static readonly TimeSpan RetryInitialDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ResignTimeout = TimeSpan.FromSeconds(2);
    private static readonly CancellationToken NotLeading = new(canceled: true);

    private readonly MetaZooKeeperConnection _connection;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ZooKeeperLeadership> _logger;
    private readonly string _instancePrefix;
    private readonly byte[] _nodeData;
    private readonly TimeSpan _refreshInterval;

    // Wakes the election loop; one pending wake is enough since every check reads the whole picture.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // Guards the leadership state below: the election loop and ZooKeeper state events (on the client's
    // event thread) both change it, and gaining leadership must not interleave with a disconnect.
    private readonly Lock _lock = new();
    private volatile bool _isLeader;
    private volatile MetaLeaderAddresses? _leader;
    private CancellationTokenSource? _term;
    private TaskCompletionSource<CancellationToken> _gained = NewGained();
    private string? _ownNode;
    private long _ownSession;

    // The predecessor node this standby has a watch on (its name), so each check does not add another watch.
    private string? _watchedPredecessor;

    // This server's own node (its name) while it has a watch on it, which it keeps while leading.
    private string? _watchedOwn;

    /// <summary>Creates the election for this meta server; it joins once started as a hosted service.</summary>
    /// <param name="connection">The meta server's ZooKeeper session.</param>
    /// <param name="metaOptions">The meta options: cluster name and advertised addresses.</param>
    /// <param name="zooKeeperOptions">The ZooKeeper options: the standby's leader refresh interval.</param>
    /// <param name="timeProvider">The clock of retries and refreshes.</param>
    /// <param name="logger">The logger.</param>
    public ZooKeeperLeadership(
        MetaZooKeeperConnection connection,
        IOptions<MetaOptions> metaOptions,
        IOptions<ZooKeeperCoordinationOptions> zooKeeperOptions,
        TimeProvider timeProvider,
        ILogger<ZooKeeperLeadership> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var meta = metaOptions.Value;
        _connection = connection;
        _timeProvider = timeProvider;
        _logger = logger;
        Self = new MetaLeaderAddresses(meta.AdvertisedGrpcAddress ?? string.Empty, meta.AdvertisedHttpAddress ?? string.Empty);
        ElectionPath = ZooKeeperCoordinationOptions.ClusterRoot(meta.ClusterName) + "/leader";
        _instancePrefix = NodePrefix + Guid.NewGuid().ToString("N") + "-";
        _nodeData = JsonSerializer.SerializeToUtf8Bytes(new LeaderNodeData(Self.GrpcAddress, Self.HttpAddress), LeaderNodeJsonContext.Default.LeaderNodeData);
        _refreshInterval = zooKeeperOptions.Value.LeaderRefreshInterval;
    }

    /// <inheritdoc/>
    public event EventHandler<MetaLeadershipChange>? LeadershipChanged;

    /// <summary>Gets this meta server's addresses, as published in its election node.</summary>
    public MetaLeaderAddresses Self { get; }

    /// <summary>Gets the parent of the election nodes, <c>/pegasus/&lt;cluster&gt;/leader</c>.</summary>
    public string ElectionPath { get; }

    /// <inheritdoc/>
    public bool IsLeader => _isLeader;

    /// <inheritdoc/>
    public MetaLeaderAddresses? Leader => _leader;

    /// <inheritdoc/>
    public CancellationToken LeadershipToken
    {
        get
        {
            lock (_lock)
            {
                return _isLeader && _term is { } term ? term.Token : NotLeading;
            }
        }
    }

    /// <inheritdoc/>
    public string? LeaderNodePath
    {
        get
        {
            lock (_lock)
            {
                return _isLeader ? _ownNode : null;
            }
        }
    }

    /// <summary>Gets this meta server's election node while it takes part (leader or standby), else null.</summary>
    public string? OwnNodePath
    {
        get
        {
            lock (_lock)
            {
                return _ownNode;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        Task<CancellationToken> gained;
        lock (_lock)
        {
            if (_isLeader && _term is { } term)
            {
                return ValueTask.FromResult(term.Token);
            }

            gained = _gained.Task;
        }

        return new ValueTask<CancellationToken>(gained.WaitAsync(cancellationToken));
    }

    /// <summary>Leaves the election: stops leading and deletes this server's node so a standby takes over at once.</summary>
    /// <param name="cancellationToken">Stops waiting for the loop to end.</param>
    /// <returns>A task that completes once stopped.</returns>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await ResignAsync();
    }

    private static TaskCompletionSource<CancellationToken> NewGained() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Leads, unless the session moved on since the check that found this node lowest.</summary>
    private void TryLead(ZooKeeperClient client, long sessionId)
    {
        CancellationTokenSource term;
        lock (_lock)
        {
            // A disconnect reported between the check and now must win: leading needs a connected session
            // (the disconnect handler takes this lock, so it either ran before and is seen here, or runs after and steps down).
            if (_isLeader || client.State != ZooKeeperConnectionState.Connected || client.SessionId != sessionId
                || _ownSession != sessionId || _ownNode is null)
            {
                return;
            }

            term = new CancellationTokenSource();
            _term = term;
            _isLeader = true;
            _leader = Self;
            _gained.TrySetResult(term.Token);
        }

        LogLeading(_logger, OwnNodePath, sessionId);
        LeadershipChanged?.Invoke(this, new MetaLeadershipChange(true, Self));
    }

    /// <summary>Becomes (or stays) a standby that knows <paramref name="leader"/> as the leader (null: unknown).</summary>
    private void Follow(MetaLeaderAddresses? leader, string? stepDownReason = null)
    {
        CancellationTokenSource? lostTerm = null;
        bool changed;
        lock (_lock)
        {
            if (_isLeader)
            {
                lostTerm = _term;
                _term = null;
                _isLeader = false;
                _gained = NewGained();
            }

            changed = lostTerm is not null || !Equals(_leader, leader);
            _leader = leader;
        }

        if (lostTerm is not null)
        {
            LogSteppedDown(_logger, stepDownReason ?? "another meta server leads");

            // Cancelled outside the lock: callbacks (the coordinator dropping its state) must not run under it.
            lostTerm.Cancel();
        }

        if (changed)
        {
            LeadershipChanged?.Invoke(this, new MetaLeadershipChange(false, leader));
        }
    }

    private void OnConnectionStateChanged(object? sender, ZooKeeperStateChange change)
    {
        long ownSession;
        lock (_lock)
        {
            ownSession = _ownSession;
        }

        switch (change.State)
        {
            case ZooKeeperConnectionState.Disconnected when change.SessionId == ownSession && _isLeader:
                // Not waiting for expiry: the servers may already have expired the session and elected
                // another leader. A standby keeps its leader hint; a deposed leader has none to give.
                Follow(null, "the ZooKeeper connection was lost; leadership cannot be confirmed until it is back");
                break;
            case ZooKeeperConnectionState.Expired or ZooKeeperConnectionState.Closed:
                lock (_lock)
                {
                    if (_ownSession == change.SessionId)
                    {
                        // The node went with the session; the loop joins again with a new one.
                        _ownNode = null;
                        _ownSession = 0;
                    }
                }

                Volatile.Write(ref _watchedPredecessor, null);
                Volatile.Write(ref _watchedOwn, null);
                if (change.SessionId == ownSession)
                {
                    Follow(_isLeader ? null : _leader, $"the ZooKeeper session 0x{change.SessionId:x} is {change.State}");
                }

                break;
        }

        // Connected (first time or resumed) and every other change: look again.
        Wake();
    }

    private void OnOwnNodeChanged(WatchedEvent watchedEvent)
    {
        ForgetWatch(ref _watchedOwn, watchedEvent);
        Wake();
    }

    private void OnPredecessorChanged(WatchedEvent watchedEvent)
    {
        ForgetWatch(ref _watchedPredecessor, watchedEvent);
        Wake();
    }

    /// <summary>A watch fires once: clears the record of it, unless a watch on another node has replaced it meanwhile.</summary>
    private static void ForgetWatch(ref string? watched, WatchedEvent watchedEvent)
    {
        if (watchedEvent.Path is { } path)
        {
            Interlocked.CompareExchange(ref watched, null, NameOf(path));
        }
        else
        {
            // The session ended with the watch outstanding.
            Volatile.Write(ref watched, null);
        }
    }
}
