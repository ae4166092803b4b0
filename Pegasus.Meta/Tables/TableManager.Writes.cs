using Pegasus.Meta.State;
using Pegasus.Protocol;

namespace Pegasus.Meta.Tables;

public sealed partial class TableManager
{
    private static readonly IReadOnlyDictionary<string, string> NoEnvs = new Dictionary<string, string>();

    /// <summary>
    /// Creates a table and places each partition's primary on the least-loaded alive replica server
    /// (ballot 1). With a replica count above one the partitions record it as their max replica
    /// count but get no secondaries yet. Returns once the table is durable.
    /// </summary>
    /// <param name="request">The table's name, partition count and replica count.</param>
    /// <param name="cancellationToken">Cancels waiting; once the store write starts it completes.</param>
    /// <returns>The table with its partitions; <see cref="ErrorCode.InvalidParameters"/>,
    /// <see cref="ErrorCode.AppExist"/>, <see cref="ErrorCode.NotEnoughMembers"/>, or a leadership error.</returns>
    public async Task<TableResult<TableView>> CreateTableAsync(CreateTableRequest request, CancellationToken cancellationToken)
    {
        var result = await CreateCoreAsync(request, cancellationToken);
        Record("create", request.Name, result);
        return result;
    }

    /// <summary>
    /// Drops a table: marks it dropped in the store, removes it from routing, and from then on beacon
    /// responses list its id so replica servers close and delete its replicas. Returns once durable.
    /// </summary>
    /// <param name="name">The table name.</param>
    /// <param name="cancellationToken">Cancels waiting; once the store write starts it completes.</param>
    /// <returns>The dropped table; <see cref="ErrorCode.InvalidParameters"/> for an empty name;
    /// <see cref="ErrorCode.AppNotExist"/>; or a leadership error.</returns>
    public async Task<TableResult<TableView>> DropTableAsync(string? name, CancellationToken cancellationToken)
    {
        var result = await DropCoreAsync(name, cancellationToken);
        Record("drop", name, result);
        return result;
    }

    private async Task<TableResult<TableView>> CreateCoreAsync(CreateTableRequest request, CancellationToken cancellationToken)
    {
        var (_, error) = await AcquireViewAsync(cancellationToken);
        if (error.Code != ErrorCode.Ok)
        {
            return TableResult<TableView>.Fail(error.Code, error.Message);
        }

        var invalid = TableRules.ValidateName(request.Name)
            ?? TableRules.ValidatePartitionCount(request.PartitionCount)
            ?? TableRules.ValidateReplicaCount(request.ReplicaCount);
        if (invalid is not null)
        {
            return TableResult<TableView>.Fail(ErrorCode.InvalidParameters, invalid);
        }

        var name = request.Name!;
        return await WriteUnderGateAsync(async (view, leadershipToken) =>
        {
            if (view.Available.ContainsKey(name))
            {
                return TableResult<TableView>.Fail(ErrorCode.AppExist, $"Table '{name}' already exists.");
            }

            // Only live nodes get partitions: a dead node would leave them unserved from the start.
            var alive = _nodes.GetAliveNodes();
            if (alive.Count == 0)
            {
                return TableResult<TableView>.Fail(ErrorCode.NotEnoughMembers, "No replica server is alive to place the table on.");
            }

            var load = view.AssignmentsByNode.ToDictionary(pair => pair.Key, pair => pair.Value.Count, StringComparer.Ordinal);
            var table = new TableRecord(
                view.NextAppId.Value, name, request.PartitionCount, request.ReplicaCount, TableStatus.Available, NoEnvs, _timeProvider.GetUtcNow());

            // With fewer live nodes than copies the partitions start short; the guardian adds learners as nodes arrive.
            PartitionConfigurationRecord[] partitions = [.. PartitionPlacement.AssignReplicas(request.PartitionCount, request.ReplicaCount, alive, load)
                .Select((nodes, index) => new PartitionConfigurationRecord(index, Ballot: 1, nodes[0], [.. nodes.Skip(1)], request.ReplicaCount))];

            var written = await WriteAsync(() => _store.CreateTableAsync(view.NextAppId, table, partitions, leadershipToken), leadershipToken);
            if (written.Error is { } failed)
            {
                return TableResult<TableView>.Fail(failed.Code, failed.Message);
            }

            switch (written.Result.Status)
            {
                case StoreWriteStatus.Ok:
                    var created = written.Result.Value!;
                    _view = view.With(created.Table, created.NextAppId);
                    LogTableCreated(_logger, name, table.AppId, table.PartitionCount, table.ReplicaCount);
                    return TableResult<TableView>.Ok(ClusterView.ToTableView(created.Table));
                case StoreWriteStatus.NameTaken:
                    // Another writer created it behind this view's back: catch up, then report it as existing.
                    await ReloadAfterConflictAsync("create", name, written.Result.Status, cancellationToken);
                    return TableResult<TableView>.Fail(ErrorCode.AppExist, $"Table '{name}' already exists.");
                default:
                    await ReloadAfterConflictAsync("create", name, written.Result.Status, cancellationToken);
                    return TableResult<TableView>.Fail(ErrorCode.ServiceNotActive, "The cluster state changed under this meta server; retry.");
            }
        }, cancellationToken);
    }

    private async Task<TableResult<TableView>> DropCoreAsync(string? name, CancellationToken cancellationToken)
    {
        var (_, error) = await AcquireViewAsync(cancellationToken);
        if (error.Code != ErrorCode.Ok)
        {
            return TableResult<TableView>.Fail(error.Code, error.Message);
        }

        if (string.IsNullOrEmpty(name))
        {
            return TableResult<TableView>.Fail(ErrorCode.InvalidParameters, "The table name is empty.");
        }

        return await WriteUnderGateAsync(async (view, leadershipToken) =>
        {
            if (!view.Available.TryGetValue(name, out var stored))
            {
                return TableResult<TableView>.Fail(ErrorCode.AppNotExist, $"Table '{name}' does not exist.");
            }

            var written = await WriteAsync(() => _store.DropTableAsync(stored.Table, _timeProvider.GetUtcNow(), leadershipToken), leadershipToken);
            if (written.Error is { } failed)
            {
                return TableResult<TableView>.Fail(failed.Code, failed.Message);
            }

            if (written.Result.Status != StoreWriteStatus.Ok)
            {
                await ReloadAfterConflictAsync("drop", name, written.Result.Status, cancellationToken);
                return TableResult<TableView>.Fail(ErrorCode.ServiceNotActive, "The cluster state changed under this meta server; retry.");
            }

            var dropped = stored with { Table = written.Result.Value };
            _view = view.With(dropped);
            LogTableDropped(_logger, name, dropped.Table.Value.AppId);
            return TableResult<TableView>.Ok(ClusterView.ToTableView(dropped));
        }, cancellationToken);
    }

    /// <summary>
    /// Runs a table write with the gate held, on the view (loaded when leading without one), with the
    /// leadership token taken before waiting for the gate; fails when this server no longer leads.
    /// </summary>
    private async Task<TableResult<T>> WriteUnderGateAsync<T>(
        Func<ClusterView, CancellationToken, Task<TableResult<T>>> write,
        CancellationToken cancellationToken)
        where T : class
    {
        var leadershipToken = _leadership.LeadershipToken;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Leadership may have moved while this caller waited for the gate.
            if (!_leadership.IsLeader)
            {
                var notLeader = NotLeaderError();
                return TableResult<T>.Fail(notLeader.Code, notLeader.Message);
            }

            var view = CurrentView ?? await LoadUnderGateAsync(cancellationToken);
            return await write(view, leadershipToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a store write; any failure other than a typed result leaves the store's state unknown, so the view is dropped.</summary>
    private async Task<(StoreWriteResult<T> Result, ViewError? Error)> WriteAsync<T>(
        Func<Task<StoreWriteResult<T>>> write,
        CancellationToken leadershipToken)
    {
        try
        {
            return (await write(), null);
        }
        catch (OperationCanceledException) when (leadershipToken.IsCancellationRequested)
        {
            _view = null;
            return (default, NotLeaderError());
        }
        catch (StateStoreFencedException exception)
        {
            // The store refused: this server lost leadership before the write could be applied (nothing was written).
            _view = null;
            LogStoreWriteFailed(_logger, exception);
            return (default, NotLeaderError());
        }
        catch (Exception exception)
        {
            // The write may or may not have been applied; reloading on the next request finds out.
            _view = null;
            LogStoreWriteFailed(_logger, exception);
            return (default, new ViewError(ErrorCode.ServiceNotActive, $"The meta state store failed: {exception.Message}"));
        }
    }

    private async Task ReloadAfterConflictAsync(string operation, string name, StoreWriteStatus status, CancellationToken cancellationToken)
    {
        LogStoreConflict(_logger, operation, name, status);
        try
        {
            await LoadUnderGateAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _view = null;
            LogLoadFailed(_logger, exception);
        }
    }

    private void Record(string operation, string? name, TableResult<TableView> result)
    {
        _instruments.TableOperation(operation, result.Error.ToString());
        if (!result.IsOk)
        {
            LogTableRequestRejected(_logger, operation, name, result.Error, result.Message);
        }
    }
}
