namespace Pegasus.Replica.Replication.Log;

/// <summary>One mutation as the log keeps it.</summary>
/// <param name="Ballot">The ballot of the primary that prepared the mutation.</param>
/// <param name="Decree">The mutation's position in the replica's history, starting at 1.</param>
/// <param name="Payload">The serialized mutation; the log does not look inside.</param>
public readonly record struct LogEntry(long Ballot, long Decree, ReadOnlyMemory<byte> Payload);
