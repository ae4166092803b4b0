using Grpc.Core;
using Pegasus.Meta.FailureDetection;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.State;
using Pegasus.Meta.Tables;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;

namespace Pegasus.Meta.Grpc;

/// <summary>
/// The meta server's gRPC face: routing tables for clients (<c>QueryConfig</c>) and beacons from
/// replica servers (<c>Beacon</c>). Errors travel in the response's error field; a meta server
/// that does not lead answers <see cref="ErrorCode.ForwardToOthers"/> with the leader's gRPC address.
/// </summary>
/// <param name="tables">The tables and their configurations.</param>
/// <param name="nodes">Replica server liveness.</param>
/// <param name="leadership">Whether this meta server leads, and who does.</param>
/// <param name="lifetime">Stops handlers when the host shuts down.</param>
public sealed class MetaGrpcService(
    TableManager tables,
    NodeRegistry nodes,
    IMetaLeadership leadership,
    IHostApplicationLifetime lifetime) : MetaService.MetaServiceBase
{
    /// <inheritdoc/>
    public override async Task<QueryConfigResponse> QueryConfig(QueryConfigRequest request, ServerCallContext context)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var result = await tables.GetTableAsync(request.TableName, cancellation.Token);
        var response = new QueryConfigResponse { Error = result.Error };
        if (result.Value is not { } table)
        {
            response.ErrorMessage = result.Message ?? string.Empty;
            response.LeaderAddress = LeaderAddressFor(result.Error);
            return response;
        }

        response.AppId = table.Table.AppId;
        response.PartitionCount = table.Table.PartitionCount;
        foreach (var partition in table.Partitions)
        {
            response.Partitions.Add(ToProto(partition));
        }

        return response;
    }

    /// <inheritdoc/>
    public override async Task<BeaconResponse> Beacon(BeaconRequest request, ServerCallContext context)
    {
        var node = NodeRegistry.NormalizeAddress(request.NodeAddress);
        if (node.Length == 0)
        {
            return new BeaconResponse { Error = ErrorCode.InvalidParameters, ErrorMessage = "The beacon has no node address." };
        }

        // A standby must not count beacons: liveness is the leader's to judge, and the node must move on to it.
        if (!leadership.IsLeader)
        {
            var error = LeadershipErrors.NotLeader(leadership).Code;
            return new BeaconResponse { Error = error, ErrorMessage = "This meta server is not the leader.", LeaderAddress = LeaderAddressFor(error) };
        }

        nodes.RecordBeacon(node, request.Replicas.Count, request.Replicas);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var result = await tables.GetNodeInstructionsAsync(node, cancellation.Token);
        if (result.Value is not { } instructions)
        {
            return new BeaconResponse { Error = result.Error, ErrorMessage = result.Message ?? string.Empty, LeaderAddress = LeaderAddressFor(result.Error) };
        }

        var response = new BeaconResponse
        {
            Error = ErrorCode.Ok,
            LeaseMilliseconds = (long)nodes.Lease.TotalMilliseconds,
            DroppedAppIds = { instructions.DroppedAppIds },
        };
        foreach (var assignment in instructions.Assignments)
        {
            var replicaAssignment = new ReplicaAssignment
            {
                AppId = assignment.AppId,
                AppName = assignment.AppName,
                PartitionIndex = assignment.PartitionIndex,
                PartitionCount = assignment.PartitionCount,
                Ballot = assignment.Ballot,
                Role = assignment.Role,
                Primary = assignment.Configuration.Primary ?? string.Empty,
                Secondaries = { assignment.Configuration.Secondaries },
                Learners = { assignment.Configuration.LearnerNodes },
            };
            if (assignment.Envs is { Count: > 0 } envs)
            {
                replicaAssignment.Envs.Add(envs.ToDictionary());
            }

            response.Assignments.Add(replicaAssignment);
        }

        return response;
    }

    /// <inheritdoc/>
    public override async Task<ConfigurationProposalResponse> ProposeConfiguration(ConfigurationProposal request, ServerCallContext context)
    {
        if (!leadership.IsLeader)
        {
            var error = LeadershipErrors.NotLeader(leadership).Code;
            return new ConfigurationProposalResponse { Error = error, ErrorMessage = "This meta server is not the leader.", LeaderAddress = LeaderAddressFor(error) };
        }

        var proposer = NodeRegistry.NormalizeAddress(request.Proposer);
        var node = NodeRegistry.NormalizeAddress(request.Node);
        var refusal = string.Empty;
        Func<PartitionConfigurationRecord, PartitionConfigurationRecord?> change = request.Kind switch
        {
            // Only the primary of the very configuration it names may shrink it: a deposed primary's request is stale.
            ProposalKind.RemoveMember => current =>
            {
                if (current.Ballot != request.Ballot || current.Primary != proposer)
                {
                    refusal = $"the proposal is for ballot {request.Ballot} by {proposer}; the partition is at ballot {current.Ballot} with primary {current.Primary}";
                    return null;
                }

                if (!current.Secondaries.Contains(node) && !current.LearnerNodes.Contains(node))
                {
                    refusal = $"{node} is not a secondary or learner of the partition";
                    return null;
                }

                return current with
                {
                    Secondaries = [.. current.Secondaries.Where(s => s != node)],
                    Learners = [.. current.LearnerNodes.Where(l => l != node)],
                };
            },
            ProposalKind.LearnerReady => current =>
            {
                if (current.Ballot != request.Ballot || node != proposer || !current.LearnerNodes.Contains(node) || current.Primary is null)
                {
                    refusal = $"{node} is not a learner of the partition at ballot {request.Ballot} (ballot {current.Ballot})";
                    return null;
                }

                return current with
                {
                    Secondaries = [.. current.Secondaries, node],
                    Learners = [.. current.LearnerNodes.Where(l => l != node)],
                };
            },
            _ => _ =>
            {
                refusal = $"unknown proposal kind {request.Kind}";
                return null;
            },
        };

        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var reason = $"{request.Kind} {node} proposed by {proposer}" + (request.Reason.Length > 0 ? $": {request.Reason}" : string.Empty);
        var result = await tables.ChangePartitionAsync(request.AppId, request.PartitionIndex, change, reason, cancellation.Token);
        var response = new ConfigurationProposalResponse { Error = result.Error, ErrorMessage = result.Message ?? string.Empty, LeaderAddress = LeaderAddressFor(result.Error) };
        if (result.Value is { } configuration)
        {
            response.Configuration = ToProto(configuration);
            if (refusal.Length > 0)
            {
                response.Error = ErrorCode.StaleBallot;
                response.ErrorMessage = refusal;
            }
        }

        return response;
    }

    private static PartitionConfiguration ToProto(PartitionConfigurationRecord partition) => new()
    {
        PartitionIndex = partition.PartitionIndex,
        Ballot = partition.Ballot,
        Primary = partition.Primary ?? string.Empty,
        Secondaries = { partition.Secondaries },
        MaxReplicaCount = partition.MaxReplicaCount,
        Learners = { partition.LearnerNodes },
    };

    private string LeaderAddressFor(ErrorCode error)
        => error == ErrorCode.ForwardToOthers ? leadership.Leader?.GrpcAddress ?? string.Empty : string.Empty;
}
