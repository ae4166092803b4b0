namespace Pegasus.Meta.Leadership;

/// <summary>Where the meta leader is reached.</summary>
/// <param name="GrpcAddress">Its gRPC address (routing, beacons), e.g. <c>http://127.0.0.1:35601</c>.</param>
/// <param name="HttpAddress">Its admin HTTP address, e.g. <c>http://127.0.0.1:35701</c>.</param>
public sealed record MetaLeaderAddresses(string GrpcAddress, string HttpAddress);

/// <summary>Raised when this meta server gains or loses leadership, or learns of a new leader.</summary>
/// <param name="IsLeader">Whether this meta server now leads.</param>
/// <param name="Leader">The current leader (this server when <paramref name="IsLeader"/>); null when unknown.</param>
public readonly record struct MetaLeadershipChange(bool IsLeader, MetaLeaderAddresses? Leader);
