using Pegasus.Protocol.Data;

namespace Pegasus.Replica.Replication;

/// <summary>
/// A client write once the primary has sequenced it: PacificA's unit of logging, preparing and
/// committing. Decrees are consecutive within a replica; the ballot is the configuration the
/// primary held when it gave the decree.
/// </summary>
/// <param name="Ballot">The primary's ballot, from the meta server's assignment.</param>
/// <param name="Decree">The write's position in the replica's history, starting at 1.</param>
/// <param name="Request">The client's write request.</param>
public readonly record struct Mutation(long Ballot, long Decree, DataRequest Request);
