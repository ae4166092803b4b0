using Microsoft.Extensions.Options;
using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.Options;

namespace Pegasus.Meta.FailureDetection;

/// <summary>
/// Replica server liveness from beacons: a node is alive while its last beacon is within
/// <see cref="MetaOptions.ReplicaGracePeriod"/>. Liveness is computed from the clock on every
/// question, so it is right even between <see cref="CheckLiveness"/> sweeps, which only log the
/// alive-to-dead transitions.
/// </summary>
public sealed partial class NodeRegistry
{
    private readonly TimeProvider _timeProvider;
    private readonly MetaInstruments _instruments;
    private readonly ILogger<NodeRegistry> _logger;
    private readonly TimeSpan _gracePeriod;
    private readonly Dictionary<string, Entry> _nodes = new(StringComparer.Ordinal);

    // Beacons arrive on many gRPC threads while sweeps and admin reads walk the table; entries are tiny, so one lock.
    private readonly Lock _lock = new();

    // When this server started judging liveness (creation or leadership gained).
    private long _trackingSince;

    /// <summary>Creates the registry.</summary>
    /// <param name="options">The meta options (grace period).</param>
    /// <param name="timeProvider">The clock beacons are timed with.</param>
    /// <param name="instruments">The meta metrics.</param>
    /// <param name="logger">The logger.</param>
    public NodeRegistry(IOptions<MetaOptions> options, TimeProvider timeProvider, MetaInstruments instruments, ILogger<NodeRegistry> logger)
    {
        _timeProvider = timeProvider;
        _logger = logger;
        _gracePeriod = options.Value.ReplicaGracePeriod;
        Lease = options.Value.ReplicaLease;
        _instruments = instruments;
        _trackingSince = timeProvider.GetTimestamp();
        instruments.ObserveAliveNodes(() => GetAliveNodes().Count);
    }

    /// <summary>Gets the lease a beacon grants its node (shorter than the grace period).</summary>
    public TimeSpan Lease { get; }

    /// <summary>Normalizes a node address so that <c>http://h:1/</c> and <c>http://h:1</c> are one node.</summary>
    /// <param name="address">The address as sent.</param>
    /// <returns>The normalized address.</returns>
    public static string NormalizeAddress(string address) => address.Trim().TrimEnd('/');

    /// <summary>Records a beacon: the node is alive from now for the grace period.</summary>
    /// <param name="address">The node's (normalized) address.</param>
    /// <param name="reportedReplicaCount">How many replicas the node reported.</param>
    /// <param name="replicas">The replicas it reported, or null to keep what it reported before.</param>
    public void RecordBeacon(string address, int reportedReplicaCount, IReadOnlyList<Pegasus.Protocol.Meta.ReplicaState>? replicas = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        _instruments.BeaconReceived();
        bool becameAlive;
        bool diedUnnoticed;
        lock (_lock)
        {
            if (!_nodes.TryGetValue(address, out var entry))
            {
                entry = new Entry();
                _nodes[address] = entry;
            }

            // A node can outlive its grace period and beacon again between two sweeps: log both transitions.
            diedUnnoticed = entry.ReportedAlive && !IsWithinGrace(entry);
            becameAlive = !entry.ReportedAlive || diedUnnoticed;
            entry.LastBeaconTimestamp = _timeProvider.GetTimestamp();
            entry.LastBeaconAt = _timeProvider.GetUtcNow();
            entry.ReportedReplicaCount = reportedReplicaCount;
            entry.ReportedAlive = true;
            if (replicas is not null)
            {
                var starts = entry.BallotStarts;
                entry.Replicas = replicas.ToDictionary(r => (r.AppId, r.PartitionIndex));
                entry.BallotStarts = new Dictionary<(int AppId, int PartitionIndex), (long Ballot, long Committed)>(entry.Replicas.Count);
                foreach (var (key, state) in entry.Replicas)
                {
                    // Kept while the replica stays at the ballot it had: the committed point of its first report there.
                    entry.BallotStarts[key] = starts.TryGetValue(key, out var start) && start.Ballot == state.Ballot
                        ? start
                        : (state.Ballot, state.LastCommittedDecree);
                }
            }
        }

        if (diedUnnoticed)
        {
            LogNodeDead(_logger, address, _gracePeriod);
        }

        if (becameAlive)
        {
            LogNodeAlive(_logger, address);
        }
    }

    /// <summary>Whether a node's last beacon is within the grace period (false for a node that never beaconed).</summary>
    /// <param name="address">The node's address.</param>
    /// <returns>True when alive.</returns>
    public bool IsAlive(string address)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(address, out var entry) && IsWithinGrace(entry);
        }
    }

    /// <summary>The alive nodes, in ordinal order of address.</summary>
    /// <returns>Their addresses.</returns>
    public IReadOnlyList<string> GetAliveNodes()
    {
        lock (_lock)
        {
            return [.. _nodes.Where(pair => IsWithinGrace(pair.Value)).Select(pair => pair.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Every node that beaconed this meta server, in ordinal order of address.</summary>
    /// <returns>Their states.</returns>
    public IReadOnlyList<NodeState> GetNodes()
    {
        lock (_lock)
        {
            return [.. _nodes
                .OrderBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(pair => new NodeState(pair.Key, IsWithinGrace(pair.Value), pair.Value.LastBeaconAt, pair.Value.ReportedReplicaCount))];
        }
    }

    /// <summary>Finds nodes whose grace period ran out since the last sweep and logs them as dead.</summary>
    /// <returns>The addresses that turned dead in this sweep.</returns>
    public IReadOnlyList<string> CheckLiveness()
    {
        List<string>? died = null;
        lock (_lock)
        {
            foreach (var (address, entry) in _nodes)
            {
                if (entry.ReportedAlive && !IsWithinGrace(entry))
                {
                    entry.ReportedAlive = false;
                    (died ??= []).Add(address);
                }
            }
        }

        foreach (var address in died ?? [])
        {
            LogNodeDead(_logger, address, _gracePeriod);
        }

        return died ?? [];
    }

    /// <summary>Forgets every node: a meta server that (re)gains leadership starts from fresh beacons.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _nodes.Clear();
            _trackingSince = _timeProvider.GetTimestamp();
        }
    }

    /// <summary>Starts the grace period within which nodes never seen are not yet judged; called on gaining leadership.</summary>
    public void StartTracking()
    {
        lock (_lock)
        {
            _trackingSince = _timeProvider.GetTimestamp();
        }
    }

    /// <summary>
    /// Whether a node is known to be dead: its last beacon is older than the grace period, or it has not beaconed
    /// at all for a whole grace period since this meta server started tracking. A node a new leader has not heard
    /// from yet is not dead, so a meta failover never reconfigures partitions of live nodes.
    /// </summary>
    /// <param name="address">The node's address.</param>
    /// <returns>True when dead.</returns>
    public bool IsKnownDead(string address)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(address, out var entry)
                ? !IsWithinGrace(entry)
                : _timeProvider.GetElapsedTime(_trackingSince) > _gracePeriod;
        }
    }

    /// <summary>What a node last reported of one replica.</summary>
    /// <param name="address">The node.</param>
    /// <param name="appId">The table.</param>
    /// <param name="partitionIndex">The partition.</param>
    /// <returns>The replica's reported state, or null.</returns>
    public Pegasus.Protocol.Meta.ReplicaState? GetReportedReplica(string address, int appId, int partitionIndex)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(address, out var entry) && entry.Replicas.TryGetValue((appId, partitionIndex), out var state) ? state : null;
        }
    }

    /// <summary>
    /// What a replica had committed when its node first reported it at <paramref name="ballot"/> (to this meta server):
    /// a primary commits only with every secondary of a configuration once it follows that configuration, so what it
    /// committed without one of them is at most this.
    /// </summary>
    /// <param name="address">The node.</param>
    /// <param name="appId">The table.</param>
    /// <param name="partitionIndex">The partition.</param>
    /// <param name="ballot">The ballot.</param>
    /// <returns>The committed decree of that first report, or null when the replica is not reported at that ballot.</returns>
    public long? GetCommittedAtBallotStart(string address, int appId, int partitionIndex, long ballot)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(address, out var entry)
                && entry.BallotStarts.TryGetValue((appId, partitionIndex), out var start)
                && start.Ballot == ballot
                ? start.Committed
                : null;
        }
    }

    private bool IsWithinGrace(Entry entry) => _timeProvider.GetElapsedTime(entry.LastBeaconTimestamp) <= _gracePeriod;

    [LoggerMessage(EventId = (int)MetaEventIds.NodeAlive, Level = LogLevel.Information, Message = "Replica server {Address} is alive")]
    private static partial void LogNodeAlive(ILogger logger, string address);

    [LoggerMessage(EventId = (int)MetaEventIds.NodeDead, Level = LogLevel.Warning, Message = "Replica server {Address} is dead: no beacon for {GracePeriod}")]
    private static partial void LogNodeDead(ILogger logger, string address, TimeSpan gracePeriod);

    private sealed class Entry
    {
        public long LastBeaconTimestamp { get; set; }

        public DateTimeOffset LastBeaconAt { get; set; }

        public int ReportedReplicaCount { get; set; }

        public Dictionary<(int AppId, int PartitionIndex), Pegasus.Protocol.Meta.ReplicaState> Replicas { get; set; } = [];

        // Per replica, the ballot it reports and its committed decree in the first report at that ballot.
        public Dictionary<(int AppId, int PartitionIndex), (long Ballot, long Committed)> BallotStarts { get; set; } = [];

        // Whether the last transition logged was "alive"; lets sweeps log each death once.
        public bool ReportedAlive { get; set; }
    }
}
