using System.Text.Json;
using Microsoft.Extensions.Options;
using Pegasus.Meta.FailureDetection;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Options;
using Pegasus.Meta.Tables;
using Pegasus.Protocol;

namespace Pegasus.Meta.Admin;

/// <summary>
/// The admin HTTP/JSON API (<c>/v1/...</c>): tables, nodes, cluster, rebalancing. Errors are
/// <c>{"error","message","leader"}</c> with the Pegasus error code's name. A meta server that does not lead forwards
/// every call but <c>GET /v1/cluster</c> to the leader (see <see cref="LeaderOnlyFilter"/>).
/// </summary>
public static partial class AdminApi
{
    /// <summary>The OpenAPI document's name: it is served at <c>/openapi/v1.json</c>.</summary>
    public const string OpenApiDocumentName = "v1";

    /// <summary>Maps the admin API.</summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <returns>The admin route group.</returns>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        // A stable path for tools: /openapi/v1.json.
        endpoints.MapOpenApi("/openapi/{documentName}.json");

        // Every meta server describes the cluster as it sees it (a standby: who leads); everything else is the leader's.
        endpoints.MapGet("/v1/cluster", GetCluster);
        var group = endpoints.MapGroup("/v1").AddEndpointFilter<LeaderOnlyFilter>();
        group.MapPost("/tables", CreateTableAsync);
        group.MapGet("/tables", ListTablesAsync);
        group.MapGet("/tables/{name}", GetTableAsync);
        group.MapDelete("/tables/{name}", DropTableAsync);
        group.MapPut("/tables/{name}/envs", SetTableEnvsAsync);
        group.MapDelete("/tables/{name}/envs/{key}", DeleteTableEnvAsync);
        group.MapGet("/nodes", GetNodesAsync);
        group.MapGet("/rebalance", GetRebalancePlanAsync);
        group.MapPost("/rebalance", RunRebalanceAsync);
        return group;
    }

    private static async Task<IResult> CreateTableAsync(HttpRequest request, TableManager tables, IMetaLeadership leadership, CancellationToken cancellationToken)
    {
        CreateTableBody? body;
        try
        {
            // Read by hand so malformed JSON gets the admin error shape, not the framework's bare 400.
            body = await JsonSerializer.DeserializeAsync(request.Body, AdminJson.Context.CreateTableBody, cancellationToken);
        }
        catch (JsonException exception)
        {
            return AdminResults.Error(ErrorCode.InvalidParameters, $"The request body is not a valid table description: {exception.Message}", leadership);
        }

        if (body is null)
        {
            return AdminResults.Error(ErrorCode.InvalidParameters, "The request body is empty.", leadership);
        }

        var result = await tables.CreateTableAsync(
            new CreateTableRequest(
                body.Name,
                body.PartitionCount ?? TableRules.DefaultPartitionCount,
                body.ReplicaCount ?? TableRules.DefaultReplicaCount),
            cancellationToken);
        return result.Value is { } table
            ? TypedResults.Json(
                AdminResults.ToTableInfo(table, withPartitions: true),
                AdminJson.Context.TableInfo,
                statusCode: StatusCodes.Status201Created)
            : AdminResults.Error(result.Error, result.Message, leadership);
    }

    private static async Task<IResult> ListTablesAsync(TableManager tables, IMetaLeadership leadership, CancellationToken cancellationToken)
    {
        var result = await tables.ListTablesAsync(cancellationToken);
        if (result.Value is not { } list)
        {
            return AdminResults.Error(result.Error, result.Message, leadership);
        }

        IReadOnlyList<TableInfo> infos = [.. list.Select(view => AdminResults.ToTableInfo(view, withPartitions: false))];
        return TypedResults.Json(infos, AdminJson.Context.IReadOnlyListTableInfo);
    }

    private static async Task<IResult> GetTableAsync(string name, TableManager tables, IMetaLeadership leadership, CancellationToken cancellationToken)
    {
        var result = await tables.GetTableAsync(name, cancellationToken);
        return result.Value is { } table
            ? TypedResults.Json(AdminResults.ToTableInfo(table, withPartitions: true), AdminJson.Context.TableInfo)
            : AdminResults.Error(result.Error, result.Message, leadership);
    }

    private static async Task<IResult> DropTableAsync(string name, TableManager tables, IMetaLeadership leadership, CancellationToken cancellationToken)
    {
        var result = await tables.DropTableAsync(name, cancellationToken);
        return result.Value is { } table
            ? TypedResults.Json(AdminResults.ToTableInfo(table, withPartitions: false), AdminJson.Context.TableInfo)
            : AdminResults.Error(result.Error, result.Message, leadership);
    }

    private static async Task<IResult> GetNodesAsync(TableManager tables, NodeRegistry nodes, IMetaLeadership leadership, CancellationToken cancellationToken)
    {
        var counts = await tables.GetReplicaCountsByNodeAsync(cancellationToken);
        if (counts.Value is not { } replicaCounts)
        {
            return AdminResults.Error(counts.Error, counts.Message, leadership);
        }

        // Nodes the configuration names but that have not beaconed (e.g. since a restart) are listed too, as dead.
        var known = nodes.GetNodes();
        var silent = replicaCounts.Keys
            .Where(address => !known.Any(node => node.Address == address))
            .Select(address => new NodeState(address, Alive: false, LastBeaconAt: null, ReportedReplicaCount: 0));
        IReadOnlyList<NodeInfo> infos = [.. known.Concat(silent)
            .OrderBy(node => node.Address, StringComparer.Ordinal)
            .Select(node => new NodeInfo(node.Address, node.Alive, node.LastBeaconAt, replicaCounts.GetValueOrDefault(node.Address)))];
        return TypedResults.Json(infos, AdminJson.Context.IReadOnlyListNodeInfo);
    }

    private static IResult GetCluster(IMetaLeadership leadership, IOptions<MetaOptions> options)
        => TypedResults.Json(
            new ClusterInfo(leadership.IsLeader, leadership.Leader?.GrpcAddress, leadership.Leader?.HttpAddress, options.Value.StateStore.ToString()),
            AdminJson.Context.ClusterInfo);
}
