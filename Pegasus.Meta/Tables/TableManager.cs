using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.FailureDetection;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.State;
using Pegasus.Protocol;

namespace Pegasus.Meta.Tables;

/// <summary>
/// The tables of the cluster and their partition configurations, as the meta leader serves them:
/// create, drop, list, get, routing and per-node assignments. The state store is the truth; this
/// keeps an immutable in-memory view of it that is loaded when leadership is gained, dropped when
/// it is lost, and replaced only after a store write succeeded (so an acknowledged change is durable).
/// </summary>
public sealed partial class TableManager
{
    private readonly IMetaStateStore _store;
    private readonly IMetaLeadership _leadership;
    private readonly NodeRegistry _nodes;
    private readonly TimeProvider _timeProvider;
    private readonly MetaInstruments _instruments;
    private readonly ILogger<TableManager> _logger;

    // Serializes loads and writes: each write validates against the current view and must see the previous write's result.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Null when not loaded (not leader, or the view may disagree with the store after a failed write).
    private volatile ClusterView? _view;

    /// <summary>Creates the table manager.</summary>
    /// <param name="store">The durable state.</param>
    /// <param name="leadership">Whether this meta server leads.</param>
    /// <param name="nodes">Replica server liveness, for placement.</param>
    /// <param name="timeProvider">The clock for create and drop times.</param>
    /// <param name="instruments">The meta metrics.</param>
    /// <param name="logger">The logger.</param>
    public TableManager(
        IMetaStateStore store,
        IMetaLeadership leadership,
        NodeRegistry nodes,
        TimeProvider timeProvider,
        MetaInstruments instruments,
        ILogger<TableManager> logger)
    {
        _store = store;
        _leadership = leadership;
        _nodes = nodes;
        _timeProvider = timeProvider;
        _instruments = instruments;
        _logger = logger;
        instruments.ObserveTables(() => _view?.Available.Count ?? 0);
    }

    /// <summary>Gets whether the state is loaded (this server leads and has read the store).</summary>
    public bool IsLoaded => CurrentView is not null;

    /// <summary>Loads (or reloads) the state from the store; called on gaining leadership. Failures propagate.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>A task that completes once loaded.</returns>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await LoadUnderGateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the state; called on losing leadership so nothing is served from a stale view.</summary>
    /// <param name="cancellationToken">Cancels waiting for a write in progress.</param>
    /// <returns>A task that completes once unloaded.</returns>
    public async Task UnloadAsync(CancellationToken cancellationToken)
    {
        // Under the gate so a write finishing concurrently cannot publish its view after this.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_view is not null)
            {
                _view = null;
                LogStateUnloaded(_logger);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Lists the available tables, by app id (without partitions).</summary>
    /// <param name="cancellationToken">Cancels waiting for the state to load.</param>
    /// <returns>The tables, or a leadership/availability error.</returns>
    public async ValueTask<TableResult<IReadOnlyList<TableView>>> ListTablesAsync(CancellationToken cancellationToken)
    {
        var (view, error) = await AcquireViewAsync(cancellationToken);
        if (view is null)
        {
            return TableResult<IReadOnlyList<TableView>>.Fail(error.Code, error.Message);
        }

        IReadOnlyList<TableView> tables = [.. view.Available.Values.OrderBy(t => t.Table.Value.AppId).Select(ClusterView.ToTableView)];
        return TableResult<IReadOnlyList<TableView>>.Ok(tables);
    }

    /// <summary>Gets an available table with its partition configurations (the routing table).</summary>
    /// <param name="name">The table name.</param>
    /// <param name="cancellationToken">Cancels waiting for the state to load.</param>
    /// <returns>The table; <see cref="ErrorCode.InvalidParameters"/> for an empty name;
    /// <see cref="ErrorCode.AppNotExist"/> when no available table has that name.</returns>
    public async ValueTask<TableResult<TableView>> GetTableAsync(string? name, CancellationToken cancellationToken)
    {
        var (view, error) = await AcquireViewAsync(cancellationToken);
        if (view is null)
        {
            return TableResult<TableView>.Fail(error.Code, error.Message);
        }

        if (string.IsNullOrEmpty(name))
        {
            return TableResult<TableView>.Fail(ErrorCode.InvalidParameters, "The table name is empty.");
        }

        return view.Available.TryGetValue(name, out var stored)
            ? TableResult<TableView>.Ok(ClusterView.ToTableView(stored))
            : TableResult<TableView>.Fail(ErrorCode.AppNotExist, $"Table '{name}' does not exist.");
    }

    /// <summary>What a replica server should serve and delete, for its beacon response.</summary>
    /// <param name="node">The node's normalized address.</param>
    /// <param name="cancellationToken">Cancels waiting for the state to load.</param>
    /// <returns>Its assignments and the dropped table ids, or a leadership/availability error.</returns>
    public async ValueTask<TableResult<NodeInstructions>> GetNodeInstructionsAsync(string node, CancellationToken cancellationToken)
    {
        var (view, error) = await AcquireViewAsync(cancellationToken);
        if (view is null)
        {
            return TableResult<NodeInstructions>.Fail(error.Code, error.Message);
        }

        var assignments = view.AssignmentsByNode.GetValueOrDefault(node) ?? [];
        return TableResult<NodeInstructions>.Ok(new NodeInstructions(assignments, view.DroppedAppIds));
    }

    /// <summary>How many replicas of available tables each node is configured to serve.</summary>
    /// <param name="cancellationToken">Cancels waiting for the state to load.</param>
    /// <returns>Replica counts by node address, or a leadership/availability error.</returns>
    public async ValueTask<TableResult<IReadOnlyDictionary<string, int>>> GetReplicaCountsByNodeAsync(CancellationToken cancellationToken)
    {
        var (view, error) = await AcquireViewAsync(cancellationToken);
        if (view is null)
        {
            return TableResult<IReadOnlyDictionary<string, int>>.Fail(error.Code, error.Message);
        }

        IReadOnlyDictionary<string, int> counts = view.AssignmentsByNode.ToDictionary(pair => pair.Key, pair => pair.Value.Count, StringComparer.Ordinal);
        return TableResult<IReadOnlyDictionary<string, int>>.Ok(counts);
    }

    /// <summary>The current view if this server leads, loading it first when needed.</summary>
    private async ValueTask<(ClusterView? View, ViewError Error)> AcquireViewAsync(CancellationToken cancellationToken)
    {
        if (!_leadership.IsLeader)
        {
            return (null, NotLeaderError());
        }

        if (CurrentView is { } view)
        {
            return (view, default);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have loaded it while this one waited.
            return (CurrentView ?? await LoadUnderGateAsync(cancellationToken), default);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogLoadFailed(_logger, exception);
            return (null, new ViewError(ErrorCode.ServiceNotActive, $"The meta state could not be loaded: {exception.Message}"));
        }
        finally
        {
            _gate.Release();
        }
    }

    private ViewError NotLeaderError()
    {
        var (code, message) = LeadershipErrors.NotLeader(_leadership);
        return new ViewError(code, message);
    }

    /// <summary>
    /// The loaded view, unless the leadership term it was loaded in ended: leadership may have been lost
    /// and regained since, with another leader writing in between.
    /// </summary>
    private ClusterView? CurrentView => _view is { Term.IsCancellationRequested: false } view ? view : null;

    private async Task<ClusterView> LoadUnderGateAsync(CancellationToken cancellationToken)
    {
        // Taken before reading: if the term ends during the load, the view is born stale and reloaded on next use.
        var term = _leadership.LeadershipToken;
        var snapshot = await _store.LoadAsync(cancellationToken);
        var view = new ClusterView(snapshot.NextAppId, snapshot.Tables) { Term = term };
        _view = view;
        LogStateLoaded(_logger, view.Available.Count, view.DroppedAppIds.Count, view.NextAppId.Value);
        return view;
    }

    private readonly record struct ViewError(ErrorCode Code, string Message);
}

/// <summary>What a beacon response tells a replica server.</summary>
/// <param name="Assignments">The replicas it should serve.</param>
/// <param name="DroppedAppIds">Tables that were dropped: their replicas may be closed and deleted.</param>
public sealed record NodeInstructions(IReadOnlyList<NodeAssignment> Assignments, IReadOnlyList<int> DroppedAppIds);
