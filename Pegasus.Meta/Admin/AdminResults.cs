using Pegasus.Meta.Leadership;
using Pegasus.Meta.State;
using Pegasus.Meta.Tables;
using Pegasus.Protocol;

namespace Pegasus.Meta.Admin;

/// <summary>Turns table manager results into admin HTTP responses.</summary>
internal static class AdminResults
{
    /// <summary>HTTP 421 Misdirected Request: the standby's answer, pointing at the leader.</summary>
    public const int MisdirectedRequest = StatusCodes.Status421MisdirectedRequest;

    public static IResult Error(ErrorCode error, string? message, IMetaLeadership leadership)
        => TypedResults.Json(
            new ErrorInfo(error.ToString(), message ?? error.ToString(), leadership.Leader?.HttpAddress),
            AdminJson.Context.ErrorInfo,
            statusCode: StatusCodeOf(error));

    public static int StatusCodeOf(ErrorCode error) => error switch
    {
        ErrorCode.InvalidParameters => StatusCodes.Status400BadRequest,
        ErrorCode.AppNotExist => StatusCodes.Status404NotFound,
        ErrorCode.AppExist => StatusCodes.Status409Conflict,
        ErrorCode.ForwardToOthers => MisdirectedRequest,
        ErrorCode.NotEnoughMembers or ErrorCode.ServiceNotActive => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static TableInfo ToTableInfo(TableView view, bool withPartitions)
    {
        var table = view.Table;
        return new TableInfo(
            table.Name,
            table.AppId,
            table.PartitionCount,
            table.ReplicaCount,
            table.Status.ToString(),
            table.Envs,
            table.CreatedAt,
            table.DroppedAt,
            withPartitions ? [.. view.Partitions.Select(ToPartitionInfo)] : null);
    }

    private static PartitionInfo ToPartitionInfo(PartitionConfigurationRecord partition)
        => new(partition.PartitionIndex, partition.Ballot, partition.Primary, partition.Secondaries, partition.MaxReplicaCount, partition.LearnerNodes);
}
