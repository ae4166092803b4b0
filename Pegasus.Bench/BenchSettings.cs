namespace Pegasus.Bench;

/// <summary>One benchmark run as the command line describes it.</summary>
public sealed record BenchSettings
{
    /// <summary>Gets the meta servers' gRPC addresses; ignored with <see cref="LocalCluster"/>.</summary>
    public IReadOnlyList<string> MetaServers { get; init; } = [];

    /// <summary>Gets the meta servers' admin HTTP addresses; ignored with <see cref="LocalCluster"/>.</summary>
    public IReadOnlyList<string> AdminServers { get; init; } = [];

    /// <summary>Gets a value indicating whether the bench starts (and removes) its own cluster.</summary>
    public bool LocalCluster { get; init; }

    /// <summary>Gets how many replica server processes a local cluster runs.</summary>
    public int LocalReplicaServers { get; init; } = 3;

    /// <summary>Gets the table's name; created when missing.</summary>
    public string Table { get; init; } = "bench";

    /// <summary>Gets the partition count of a table the bench creates.</summary>
    public int Partitions { get; init; } = 8;

    /// <summary>Gets the replica counts to compare in one run (a table each); empty for a single run with <see cref="ReplicaCount"/>.</summary>
    public IReadOnlyList<int> CompareReplicaCounts { get; init; } = [];

    /// <summary>Gets the replica count a created table records.</summary>
    public int ReplicaCount { get; init; } = 3;

    /// <summary>Gets the operation each loop runs.</summary>
    public BenchOperation Operation { get; init; } = BenchOperation.Set;

    /// <summary>Gets the share of reads in <see cref="BenchOperation.Mixed"/>, in percent.</summary>
    public int ReadPercent { get; init; } = 50;

    /// <summary>Gets the value size in bytes.</summary>
    public int ValueSize { get; init; } = 100;

    /// <summary>Gets how many operations are in flight at once (one async loop each).</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Gets how long the measured phase lasts.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets how long the loops run before measuring starts (JIT, connections, caches).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the number of distinct keys.</summary>
    public int Keys { get; init; } = 100_000;

    /// <summary>Gets each operation's timeout.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the bound of every wait for the cluster and the table (start, health, serving).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
