using Microsoft.Extensions.Options;
using Pegasus.Meta.Options;

namespace Pegasus.Meta.Leadership;

/// <summary>The embedded single-meta mode: the only meta server, so always the leader.</summary>
/// <param name="options">The meta options, for this server's advertised addresses.</param>
public sealed class EmbeddedLeadership(IOptions<MetaOptions> options) : IMetaLeadership
{
    private readonly MetaLeaderAddresses _self = new(
        options.Value.AdvertisedGrpcAddress ?? string.Empty,
        options.Value.AdvertisedHttpAddress ?? string.Empty);

    /// <inheritdoc/>
    public bool IsLeader => true;

    /// <inheritdoc/>
    public MetaLeaderAddresses? Leader => _self;

    /// <inheritdoc/>
    /// <remarks>Never cancelled: a lone meta server cannot be deposed.</remarks>
    public CancellationToken LeadershipToken => CancellationToken.None;

    /// <inheritdoc/>
    /// <remarks>Never raised: leadership never changes, so handlers need not be kept.</remarks>
    public event EventHandler<MetaLeadershipChange>? LeadershipChanged
    {
        add { }
        remove { }
    }

    /// <inheritdoc/>
    public ValueTask<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult(CancellationToken.None);
}
