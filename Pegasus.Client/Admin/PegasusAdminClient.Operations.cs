using System.Net.Http.Json;
using Pegasus.Protocol;

namespace Pegasus.Client;

public sealed partial class PegasusAdminClient
{
    /// <summary>Creates a table (<c>POST /v1/tables</c>).</summary>
    /// <param name="name">1..128 characters of <c>[A-Za-z0-9_.:-]</c>.</param>
    /// <param name="partitionCount">A power of two.</param>
    /// <param name="replicaCount">Replicas per partition, 1..5.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new table as the meta server describes it.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidParameters"/>, <see cref="ErrorCode.AppExist"/>, <see cref="ErrorCode.NotEnoughMembers"/>
    /// or <see cref="ErrorCode.Timeout"/>.
    /// </exception>
    public async Task<TableInfo> CreateTableAsync(string name, int partitionCount, int replicaCount = 3, CancellationToken cancellationToken = default)
    {
        RequireTableName(name, "CreateTable");
        var body = new CreateTableBody(name, partitionCount, replicaCount);
        return (await SendAsync(
            HttpMethod.Post,
            "/v1/tables",
            () => JsonContent.Create(body, AdminJsonContext.Default.CreateTableBody),
            AdminJsonContext.Default.TableInfo,
            cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Drops a table (<c>DELETE /v1/tables/{name}</c>).</summary>
    /// <param name="name">The table's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the meta server accepted the drop.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.AppNotExist"/>, <see cref="ErrorCode.InvalidParameters"/> or <see cref="ErrorCode.Timeout"/>.</exception>
    public async Task DropTableAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = TablePath(name, "DropTable");
        await SendAsync<TableInfo>(HttpMethod.Delete, path, static () => null, resultType: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the tables (<c>GET /v1/tables</c>); partitions are not included.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every table.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.Timeout"/> when no meta server answered.</exception>
    public async Task<IReadOnlyList<TableInfo>> ListTablesAsync(CancellationToken cancellationToken = default)
        => (await SendAsync(HttpMethod.Get, "/v1/tables", static () => null, AdminJsonContext.Default.ListTableInfo, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Describes a table with its partitions (<c>GET /v1/tables/{name}</c>).</summary>
    /// <param name="name">The table's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The table, partitions included.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.AppNotExist"/>, <see cref="ErrorCode.InvalidParameters"/> or <see cref="ErrorCode.Timeout"/>.</exception>
    public async Task<TableInfo> GetTableAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = TablePath(name, "GetTable");
        return (await SendAsync(HttpMethod.Get, path, static () => null, AdminJsonContext.Default.TableInfo, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Lists the replica servers the meta leader knows (<c>GET /v1/nodes</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every known replica server, alive or not.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.Timeout"/> when no meta server answered.</exception>
    public async Task<IReadOnlyList<NodeInfo>> ListNodesAsync(CancellationToken cancellationToken = default)
        => (await SendAsync(HttpMethod.Get, "/v1/nodes", static () => null, AdminJsonContext.Default.ListNodeInfo, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Describes the cluster as the meta leader sees it (<c>GET /v1/cluster</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Leadership and state-store information.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.Timeout"/> when no meta server answered.</exception>
    public async Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken = default)
        => (await SendAsync(HttpMethod.Get, "/v1/cluster", static () => null, AdminJsonContext.Default.ClusterInfo, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// Polls <see cref="GetTableAsync"/> until every partition of the table has a primary and a full set of
    /// secondaries (<see cref="TableInfo.IsHealthy"/>).
    /// </summary>
    /// <param name="name">The table's name.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The table once healthy.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.Timeout"/> when the table is not healthy in time (the message has its last state);
    /// <see cref="ErrorCode.AppNotExist"/> when it does not exist.
    /// </exception>
    public Task<TableInfo> WaitForTableHealthyAsync(string name, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitForTableAsync(name, static table => table.IsHealthy, timeout, cancellationToken);

    /// <summary>
    /// Polls <see cref="GetTableAsync"/> (every 100 ms) until <paramref name="condition"/> holds for the table,
    /// for example <c>t =&gt; t.AllPartitionsHavePrimary</c> or a primary other than a killed node.
    /// </summary>
    /// <param name="name">The table's name.</param>
    /// <param name="condition">What the table's description must satisfy.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first description that satisfied the condition.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.Timeout"/> when the condition does not hold in time (the message has the last partition
    /// state); <see cref="ErrorCode.AppNotExist"/> when the table does not exist.
    /// </exception>
    public async Task<TableInfo> WaitForTableAsync(string name, Func<TableInfo, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        RequireTableName(name, "WaitForTable");
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        TableInfo? last = null;
        try
        {
            while (true)
            {
                last = await GetTableAsync(name, linked.Token).ConfigureAwait(false);
                if (condition(last))
                {
                    return last;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), _timeProvider, linked.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested
            && ex is OperationCanceledException or PegasusException { Error: ErrorCode.Timeout })
        {
            var state = last is null
                ? "never described"
                : string.Join(", ", last.Partitions.Select(p => $"{p.PartitionIndex}:{(string.IsNullOrEmpty(p.Primary) ? "-" : p.Primary)}+{p.Secondaries.Count}"));
            throw new PegasusException(ErrorCode.Timeout, $"table '{name}' did not reach the expected state within {timeout}: {state}", ex);
        }
    }
}
