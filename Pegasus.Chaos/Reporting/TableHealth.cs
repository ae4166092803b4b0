namespace Pegasus.Chaos.Reporting;

/// <summary>One partition's configuration at the end of a run.</summary>
/// <param name="Partition">Its index.</param>
/// <param name="Ballot">Its ballot.</param>
/// <param name="Primary">Its primary, or null.</param>
/// <param name="Secondaries">How many secondaries it has.</param>
public sealed record PartitionHealth(int Partition, long Ballot, string? Primary, int Secondaries);

/// <summary>Whether the table recovered after the faults were undone.</summary>
/// <param name="Healthy">Every partition has a primary and replica count - 1 secondaries.</param>
/// <param name="WaitedSeconds">How long the wait for it took (bounded by the recovery timeout).</param>
/// <param name="Partitions">Each partition's configuration as last seen; empty when the meta server did not answer.</param>
/// <param name="Error">Why the table could not be asked, if it could not.</param>
public sealed record TableHealth(bool Healthy, double WaitedSeconds, IReadOnlyList<PartitionHealth> Partitions, string? Error);
