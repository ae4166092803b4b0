using Grpc.Core;
using Microsoft.Extensions.Options;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.FailureDetection;
using Pegasus.Replica.Hosting;

namespace Pegasus.Replica.Replication;

/// <summary>
/// Sends configuration proposals to the meta leader (trying the last leader first, then every meta server, following
/// a standby's redirect) and applies the configuration in the answer to the proposing replica, so a primary that
/// removed a secondary commits without it at once instead of at the next beacon.
/// </summary>
public sealed partial class MetaConfigurationProposer(
    IOptions<ReplicaOptions> options,
    MetaChannelPool channels,
    TimeProvider timeProvider,
    ILogger<MetaConfigurationProposer> logger) : IConfigurationProposer
{
    private readonly IReadOnlyList<string> _metaServers = [.. options.Value.GetMetaServerAddresses().Select(MetaChannelPool.NormalizeAddress)];
    private readonly TimeSpan _timeout = options.Value.BeaconTimeout;
    private readonly string _self = options.Value.AdvertisedAddress;
    private volatile string? _leader;

    /// <inheritdoc/>
    public void Propose(PartitionReplica replica, ProposalKind kind, string node, long ballot, string reason)
        => _ = Task.Run(() => ProposeAsync(replica, kind, node, ballot, reason, CancellationToken.None));

    /// <inheritdoc/>
    public async Task<ConfigurationProposalResponse?> ProposeAsync(
        PartitionReplica replica, ProposalKind kind, string node, long ballot, string reason, CancellationToken cancellationToken)
    {
        var request = new ConfigurationProposal
        {
            AppId = replica.Id.AppId,
            PartitionIndex = replica.Id.PartitionIndex,
            Ballot = ballot,
            Kind = kind,
            Proposer = _self,
            Node = node,
            Reason = reason,
        };

        List<string> candidates = [];
        if (_leader is { } leader)
        {
            candidates.Add(leader);
        }

        candidates.AddRange(_metaServers);
        var tried = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (candidates.Count > 0)
        {
            var address = candidates[0];
            candidates.RemoveAt(0);
            if (!tried.Add(address))
            {
                continue;
            }

            ConfigurationProposalResponse response;
            try
            {
                response = await channels.GetClient(address)
                    .ProposeConfigurationAsync(request, deadline: timeProvider.GetUtcNow().UtcDateTime + _timeout, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogDebugProposalFailed(logger, exception, address);
                continue;
            }

            if (response.Error == ErrorCode.ForwardToOthers)
            {
                if (!string.IsNullOrWhiteSpace(response.LeaderAddress))
                {
                    candidates.Insert(0, MetaChannelPool.NormalizeAddress(response.LeaderAddress));
                }

                continue;
            }

            _leader = address;
            if (response.Error != ErrorCode.Ok)
            {
                LogInformationProposalRefused(logger, replica.Id.AppId, replica.Id.PartitionIndex, kind, node, response.Error, response.ErrorMessage);
            }

            if (response.Configuration is { } configuration && PartitionConfig.From(configuration, _self) is { } next)
            {
                replica.UpdateConfiguration(next);
            }

            return response;
        }

        _leader = null;
        return null;
    }

    [LoggerMessage(EventId = (int)ReplicaEventId.ProposalFailed, Level = LogLevel.Debug,
        Message = "Configuration proposal to meta server {Address} failed")]
    private static partial void LogDebugProposalFailed(ILogger logger, Exception exception, string address);

    [LoggerMessage(EventId = (int)ReplicaEventId.ProposalRefused, Level = LogLevel.Information,
        Message = "Replica {AppId}.{PartitionIndex}: proposal {Kind} {Node} refused: {Error} {Message}")]
    private static partial void LogInformationProposalRefused(ILogger logger, int appId, int partitionIndex, ProposalKind kind, string node, ErrorCode error, string message);
}
