using Pegasus.Meta.State;
using Pegasus.Protocol;

namespace Pegasus.Meta.Tables;

public sealed partial class TableManager
{
    /// <summary>
    /// Changes a table's app envs (Pegasus's set_app_envs / del_app_envs): sets <paramref name="set"/> over the
    /// existing ones and removes <paramref name="delete"/>. Returns once durable; replica servers learn them from
    /// their next beacon response.
    /// </summary>
    /// <param name="name">The table name.</param>
    /// <param name="set">Envs to add or replace.</param>
    /// <param name="delete">Env keys to remove (absent ones are ignored).</param>
    /// <param name="cancellationToken">Cancels waiting; once the store write starts it completes.</param>
    /// <returns>The table; <see cref="ErrorCode.InvalidParameters"/> for an empty name or an invalid env;
    /// <see cref="ErrorCode.AppNotExist"/>; or a leadership error.</returns>
    public async Task<TableResult<TableView>> UpdateTableEnvsAsync(
        string? name, IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> delete, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(delete);
        var (_, error) = await AcquireViewAsync(cancellationToken);
        if (error.Code != ErrorCode.Ok)
        {
            return TableResult<TableView>.Fail(error.Code, error.Message);
        }

        if (string.IsNullOrEmpty(name))
        {
            return TableResult<TableView>.Fail(ErrorCode.InvalidParameters, "The table name is empty.");
        }

        if (AppEnvRules.Validate(set) is { } invalid)
        {
            return TableResult<TableView>.Fail(ErrorCode.InvalidParameters, invalid);
        }

        return await WriteUnderGateAsync(async (view, leadershipToken) =>
        {
            if (!view.Available.TryGetValue(name, out var stored))
            {
                return TableResult<TableView>.Fail(ErrorCode.AppNotExist, $"Table '{name}' does not exist.");
            }

            var envs = new Dictionary<string, string>(stored.Table.Value.Envs, StringComparer.Ordinal);
            foreach (var (key, value) in set)
            {
                envs[key] = value;
            }

            foreach (var key in delete)
            {
                envs.Remove(key);
            }

            var written = await WriteAsync(() => _store.UpdateTableEnvsAsync(stored.Table, envs, leadershipToken), leadershipToken);
            if (written.Error is { } failed)
            {
                return TableResult<TableView>.Fail(failed.Code, failed.Message);
            }

            if (written.Result.Status != StoreWriteStatus.Ok)
            {
                await ReloadAfterConflictAsync("update-envs", name, written.Result.Status, cancellationToken);
                return TableResult<TableView>.Fail(ErrorCode.ServiceNotActive, "The cluster state changed under this meta server; retry.");
            }

            var updated = stored with { Table = written.Result.Value };
            _view = view.With(updated);
            LogTableEnvsUpdated(_logger, name, updated.Table.Value.AppId, string.Join(", ", envs.Select(pair => $"{pair.Key}={pair.Value}")));
            return TableResult<TableView>.Ok(ClusterView.ToTableView(updated));
        }, cancellationToken);
    }
}
