using Pegasus.Protocol.Meta;
using Pegasus.Replica.Replication;

namespace Pegasus.Replica.Admin;

/// <summary>
/// The replica server's own admin API (HTTP/JSON): what it holds, and a checksum of one replica's data so the copies
/// of a partition can be compared.
/// </summary>
public static class ReplicaAdminEndpoints
{
    /// <summary>Maps <c>GET /v1/replicas</c> and <c>GET /v1/replicas/{appId}/{partitionIndex}/checksum</c>.</summary>
    /// <param name="app">The endpoint builder.</param>
    /// <returns>The builder.</returns>
    public static IEndpointRouteBuilder MapReplicaAdmin(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/replicas", (ReplicaManager replicas) => Results.Json(replicas.GetReplicaStates()
            .OrderBy(s => s.AppId).ThenBy(s => s.PartitionIndex)
            .Select(s => new ReplicaSummary(s.AppId, s.PartitionIndex, RoleName(s.Role), s.Ballot, s.LastCommittedDecree, s.LastPreparedDecree))));

        app.MapGet("/v1/replicas/{appId:int}/{partitionIndex:int}/checksum", (int appId, int partitionIndex, ReplicaManager replicas) =>
        {
            if (!replicas.TryGetReplica(appId, partitionIndex, out var replica) || replica.Store is not { } store)
            {
                return Results.NotFound(new ReplicaError($"partition {appId}.{partitionIndex} is not open on this node"));
            }

            try
            {
                var checksum = store.ComputeChecksum();
                return Results.Json(new ReplicaChecksum(
                    appId, partitionIndex, RoleName(replica.Role), checksum.Decree, checksum.Checksum.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), checksum.Records));
            }
            catch (ObjectDisposedException)
            {
                return Results.NotFound(new ReplicaError($"partition {appId}.{partitionIndex} closed while the checksum was computed"));
            }
        });
        return app;
    }

    private static string RoleName(ReplicaRole role) => role switch
    {
        ReplicaRole.Primary => "primary",
        ReplicaRole.Secondary => "secondary",
        ReplicaRole.Learner => "learner",
        _ => "inactive",
    };
}

/// <summary>One replica this node holds.</summary>
/// <param name="AppId">The table's id.</param>
/// <param name="PartitionIndex">The partition.</param>
/// <param name="Role">primary, secondary, learner or inactive.</param>
/// <param name="Ballot">The configuration's ballot.</param>
/// <param name="LastCommittedDecree">Committed and applied up to here.</param>
/// <param name="LastPreparedDecree">Logged up to here.</param>
public sealed record ReplicaSummary(int AppId, int PartitionIndex, string Role, long Ballot, long LastCommittedDecree, long LastPreparedDecree);

/// <summary>A replica's data checksum at one applied decree.</summary>
/// <param name="AppId">The table's id.</param>
/// <param name="PartitionIndex">The partition.</param>
/// <param name="Role">The replica's role.</param>
/// <param name="Decree">The applied decree of the snapshot the checksum was computed on.</param>
/// <param name="Checksum">The checksum, 16 hex digits.</param>
/// <param name="Records">Live records counted.</param>
public sealed record ReplicaChecksum(int AppId, int PartitionIndex, string Role, long Decree, string Checksum, long Records);

/// <summary>An admin error.</summary>
/// <param name="Error">What went wrong.</param>
public sealed record ReplicaError(string Error);
