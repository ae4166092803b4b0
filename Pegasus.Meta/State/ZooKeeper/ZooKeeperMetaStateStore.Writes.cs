using Pegasus.ZooKeeper;

namespace Pegasus.Meta.State.ZooKeeper;

public sealed partial class ZooKeeperMetaStateStore
{
    /// <inheritdoc/>
    public async Task<StoreWriteResult<CreatedTable>> CreateTableAsync(
        Versioned<int> nextAppId,
        TableRecord table,
        IReadOnlyList<PartitionConfigurationRecord> partitions,
        CancellationToken cancellationToken)
    {
        StateStoreWriteChecks.CreateTable(nextAppId, table, partitions);

        List<MultiOp> operations =
        [
            MultiOp.SetData(_nextAppIdPath, Write(new NextAppIdNode(table.AppId + 1), ZooKeeperStateJsonContext.Default.NextAppIdNode), nextAppId.Version),
            MultiOp.Create(NamePath(table.Name), Write(new TableNameNode(table.AppId), ZooKeeperStateJsonContext.Default.TableNameNode)),
            MultiOp.Create(AppPath(table.AppId), Write(table, ZooKeeperStateJsonContext.Default.TableRecord)),
            .. partitions.Select(partition => MultiOp.Create(
                PartitionPath(table.AppId, partition.PartitionIndex),
                Write(partition, ZooKeeperStateJsonContext.Default.PartitionConfigurationRecord))),
        ];

        var outcome = await TransactAsync("create-table", operations, cancellationToken);
        if (!outcome.Succeeded)
        {
            var status = (outcome.FailedIndex, outcome.FailedCode) switch
            {
                (0, ZooKeeperErrorCode.BadVersion) => StoreWriteStatus.VersionConflict,
                (1, ZooKeeperErrorCode.NodeExists) => StoreWriteStatus.NameTaken,

                // The id is taken although the counter matched: the state moved in a way this writer did not see.
                (_, ZooKeeperErrorCode.NodeExists) => StoreWriteStatus.VersionConflict,
                _ => throw outcome.Failure(),
            };
            return StoreWriteResult<CreatedTable>.Failed(status);
        }

        var counter = new Versioned<int>(table.AppId + 1, outcome.SetDataVersion(0));
        var stored = new StoredTable(
            new Versioned<TableRecord>(table, 0),
            [.. partitions.Select(partition => new Versioned<PartitionConfigurationRecord>(partition, 0))]);
        return StoreWriteResult<CreatedTable>.Ok(new CreatedTable(stored, counter));
    }

    /// <inheritdoc/>
    public async Task<StoreWriteResult<Versioned<TableRecord>>> DropTableAsync(
        Versioned<TableRecord> table,
        DateTimeOffset droppedAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table.Value);
        var dropped = table.Value with { Status = TableStatus.Dropped, DroppedAt = droppedAt };
        List<MultiOp> operations = [MultiOp.SetData(AppPath(dropped.AppId), Write(dropped, ZooKeeperStateJsonContext.Default.TableRecord), table.Version)];

        // The name node is this table's only while the version check pins it as available; a dropped
        // table's name may already belong to a newer table and must not be deleted.
        if (table.Value.Status == TableStatus.Available)
        {
            operations.Add(MultiOp.Delete(NamePath(dropped.Name)));
        }

        return await UpdateTableNodeAsync("drop-table", dropped, operations, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<StoreWriteResult<Versioned<TableRecord>>> UpdateTableEnvsAsync(
        Versioned<TableRecord> table,
        IReadOnlyDictionary<string, string> envs,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table.Value);
        ArgumentNullException.ThrowIfNull(envs);
        var updated = table.Value with { Envs = new Dictionary<string, string>(envs) };
        MultiOp[] operations = [MultiOp.SetData(AppPath(updated.AppId), Write(updated, ZooKeeperStateJsonContext.Default.TableRecord), table.Version)];
        return UpdateTableNodeAsync("update-envs", updated, operations, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<StoreWriteResult<Versioned<PartitionConfigurationRecord>>> UpdatePartitionAsync(
        int appId,
        Versioned<PartitionConfigurationRecord> current,
        PartitionConfigurationRecord updated,
        CancellationToken cancellationToken)
    {
        if (!StateStoreWriteChecks.UpdatePartition(current, updated))
        {
            return StoreWriteResult<Versioned<PartitionConfigurationRecord>>.Failed(StoreWriteStatus.StaleBallot);
        }

        MultiOp[] operations =
        [
            MultiOp.SetData(
                PartitionPath(appId, updated.PartitionIndex),
                Write(updated, ZooKeeperStateJsonContext.Default.PartitionConfigurationRecord),
                current.Version),
        ];
        var outcome = await TransactAsync("update-partition", operations, cancellationToken);
        return outcome.Succeeded
            ? StoreWriteResult<Versioned<PartitionConfigurationRecord>>.Ok(new Versioned<PartitionConfigurationRecord>(updated, outcome.SetDataVersion(0)))
            : StoreWriteResult<Versioned<PartitionConfigurationRecord>>.Failed(outcome.FailedCode switch
            {
                ZooKeeperErrorCode.NoNode => StoreWriteStatus.NotFound,
                ZooKeeperErrorCode.BadVersion => StoreWriteStatus.VersionConflict,
                _ => throw outcome.Failure(),
            });
    }

    /// <summary>A write whose first operation sets the table node; the rest (if any) must hold if the version did.</summary>
    private async Task<StoreWriteResult<Versioned<TableRecord>>> UpdateTableNodeAsync(
        string operation,
        TableRecord updated,
        IReadOnlyList<MultiOp> operations,
        CancellationToken cancellationToken)
    {
        var outcome = await TransactAsync(operation, operations, cancellationToken);
        if (outcome.Succeeded)
        {
            return StoreWriteResult<Versioned<TableRecord>>.Ok(new Versioned<TableRecord>(updated, outcome.SetDataVersion(0)));
        }

        var status = (outcome.FailedIndex, outcome.FailedCode) switch
        {
            (0, ZooKeeperErrorCode.NoNode) => StoreWriteStatus.NotFound,
            (0, ZooKeeperErrorCode.BadVersion) => StoreWriteStatus.VersionConflict,

            // A later operation failed although the version matched: the caller's record is not what is stored.
            (> 0, ZooKeeperErrorCode.NoNode) => StoreWriteStatus.VersionConflict,
            _ => throw outcome.Failure(),
        };
        return StoreWriteResult<Versioned<TableRecord>>.Failed(status);
    }

    /// <summary>
    /// Runs the operations as one transaction, prefixed with the leadership check when fenced. Failures
    /// of the caller's operations come back (indexed without the check); a failed check throws.
    /// </summary>
    private async Task<Outcome> TransactAsync(string operation, IReadOnlyList<MultiOp> operations, CancellationToken cancellationToken)
    {
        var offset = 0;
        List<MultiOp> transaction = [];
        if (_fence is not null)
        {
            // Read once: the check and the decision to write must be about the same election node.
            if (_fence.LeaderNodePath is not { } leaderNode)
            {
                LogFenced(_logger, operation, "this meta server does not lead");
                throw new StateStoreFencedException("This meta server does not lead; it may not write the cluster state.");
            }

            transaction.Add(MultiOp.Check(leaderNode, -1));
            offset = 1;
        }

        transaction.AddRange(operations);
        var client = await _connection.GetClientAsync(cancellationToken);
        var result = await client.MultiAsync(transaction, cancellationToken);
        if (!result.Succeeded && result.FailedIndex < offset)
        {
            LogFenced(_logger, operation, $"the election node {result.FailedOperation?.Path} is gone ({result.FailedCode})");
            throw new StateStoreFencedException(
                $"This meta server's election node {result.FailedOperation?.Path} is gone ({result.FailedCode}): another meta server may lead now.");
        }

        return new Outcome(result, offset);
    }

    /// <summary>A transaction's result seen without the leading leadership check.</summary>
    private readonly record struct Outcome(MultiResult Result, int Offset)
    {
        public bool Succeeded => Result.Succeeded;

        public int FailedIndex => Result.FailedIndex - Offset;

        public ZooKeeperErrorCode FailedCode => Result.FailedCode;

        public int SetDataVersion(int index) => ((SetDataResult)Result.Results[index + Offset]).Stat.Version;

        /// <summary>The typed exception for a failure the store has no status for (the state is not as this store laid it out).</summary>
        public Exception Failure()
        {
            try
            {
                Result.EnsureSuccess();
                return new InvalidOperationException("The transaction did not fail.");
            }
            catch (ZooKeeperException exception)
            {
                return exception;
            }
        }
    }
}
