namespace Pegasus.Replica.Replication;

public sealed partial class PartitionReplica
{
    // Read by every write the primary queues, replaced by beacon responses: a plain volatile int, no lock.
    private volatile int _defaultTtlSeconds;

    /// <summary>Gets the table's <c>default_ttl</c> in seconds (0 = none), as of the latest beacon response.</summary>
    public int DefaultTtlSeconds => _defaultTtlSeconds;

    /// <summary>Takes the table's app envs from the meta leader's assignment.</summary>
    /// <param name="envs">The table's envs.</param>
    public void ApplyEnvs(IReadOnlyDictionary<string, string> envs)
    {
        ArgumentNullException.ThrowIfNull(envs);
        _defaultTtlSeconds = DefaultTtl.FromEnvs(envs);
    }
}
