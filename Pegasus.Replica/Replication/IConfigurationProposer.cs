using Pegasus.Protocol.Meta;

namespace Pegasus.Replica.Replication;

/// <summary>Sends a replica's configuration proposals to the meta leader and applies the configuration it answers with.</summary>
public interface IConfigurationProposer
{
    /// <summary>Proposes a change in the background; the answer's configuration is applied to the replica.</summary>
    /// <param name="replica">The proposing replica.</param>
    /// <param name="kind">What to change.</param>
    /// <param name="node">The node the change is about.</param>
    /// <param name="ballot">The ballot the proposal acts on.</param>
    /// <param name="reason">Why, for the meta's log.</param>
    void Propose(PartitionReplica replica, ProposalKind kind, string node, long ballot, string reason);

    /// <summary>Proposes a change and waits for the answer.</summary>
    /// <param name="replica">The proposing replica.</param>
    /// <param name="kind">What to change.</param>
    /// <param name="node">The node the change is about.</param>
    /// <param name="ballot">The ballot the proposal acts on.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The meta leader's answer, or null when no meta leader answered.</returns>
    Task<ConfigurationProposalResponse?> ProposeAsync(PartitionReplica replica, ProposalKind kind, string node, long ballot, string reason, CancellationToken cancellationToken);
}

/// <summary>A proposer for replicas that run without a meta server (unit tests of one replica): nothing is sent.</summary>
public sealed class NoProposals : IConfigurationProposer
{
    /// <summary>Gets the instance.</summary>
    public static NoProposals Instance { get; } = new();

    /// <inheritdoc/>
    public void Propose(PartitionReplica replica, ProposalKind kind, string node, long ballot, string reason)
    {
    }

    /// <inheritdoc/>
    public Task<ConfigurationProposalResponse?> ProposeAsync(PartitionReplica replica, ProposalKind kind, string node, long ballot, string reason, CancellationToken cancellationToken)
        => Task.FromResult<ConfigurationProposalResponse?>(null);
}
