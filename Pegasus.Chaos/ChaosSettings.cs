using Pegasus.Chaos.Checking;
using Pegasus.Chaos.Nemesis;

namespace Pegasus.Chaos;

/// <summary>
/// When a run keeps its cluster's data (under the temporary directory it prints): the servers' files take hundreds of
/// megabytes. The server logs are kept whenever the run fails, whatever this says.
/// </summary>
public enum KeepDataPolicy
{
    /// <summary>Always delete them.</summary>
    Never,

    /// <summary>Keep them when the run found a problem (or could not finish).</summary>
    OnFailure,

    /// <summary>Always keep them.</summary>
    Always,
}

/// <summary>One chaos run: the cluster, the workload, the nemesis and the checks, as the command line describes it.</summary>
public sealed record ChaosSettings
{
    /// <summary>Gets how long the workload (and the nemesis) run; healing, recovery and the final reads come after.</summary>
    /// <value>Defaults to 5 minutes.</value>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets how many replica server processes the cluster runs.</summary>
    /// <value>Defaults to 3.</value>
    public int Servers { get; init; } = 3;

    /// <summary>Gets the table's partition count (a power of two).</summary>
    /// <value>Defaults to 8.</value>
    public int Partitions { get; init; } = 8;

    /// <summary>Gets the table's replica count.</summary>
    /// <value>Defaults to 3.</value>
    public int ReplicaCount { get; init; } = 3;

    /// <summary>Gets how many logical client processes run the workload, each with one operation in flight at a time.</summary>
    /// <value>Defaults to 8.</value>
    public int Processes { get; init; } = 8;

    /// <summary>Gets the faults the nemesis injects (none: a fault-free run).</summary>
    /// <value>Defaults to <see cref="NemesisKinds.Kill"/>.</value>
    public NemesisKinds Nemesis { get; init; } = NemesisKinds.Kill;

    /// <summary>Gets the history file (JSON Lines) to write.</summary>
    /// <value>Defaults to <c>history.jsonl</c> in the current directory.</value>
    public string HistoryPath { get; init; } = "history.jsonl";

    /// <summary>Gets the seed of every random choice (operations, keys, values, fault schedule and victims); null picks one (reported).</summary>
    public int? Seed { get; init; }

    /// <summary>Gets each operation's timeout: an operation still unanswered by then is recorded as unknown (a write) or failed (a read).</summary>
    /// <value>Defaults to 2 seconds.</value>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets the workload's target rate over all processes, in operations per second; 0 runs them back to back.</summary>
    /// <value>Defaults to 200: enough to see every fault, few enough for the checker to search the history.</value>
    public int Rate { get; init; } = 200;

    /// <summary>Gets how many register keys (get/set/del/cas) each partition holds.</summary>
    /// <value>Defaults to 2.</value>
    public int RegisterKeysPerPartition { get; init; } = 2;

    /// <summary>Gets how many counter keys (get/incr) each partition holds.</summary>
    /// <value>Defaults to 1.</value>
    public int CounterKeysPerPartition { get; init; } = 1;

    /// <summary>Gets the fault schedule's timing.</summary>
    public NemesisTiming NemesisTiming { get; init; } = new();

    /// <summary>Gets the linearizability checker's budgets.</summary>
    /// <value>Defaults to <see cref="CheckerOptions.Default"/>: exact (unknown writes may take effect any time after their call).</value>
    public CheckerOptions Checker { get; init; } = CheckerOptions.Default;

    /// <summary>Gets the replication timing settings handed to the servers.</summary>
    public ServerTimings Timings { get; init; } = new();

    /// <summary>Gets more meta server configuration (<c>--Key=Value</c>), applied last.</summary>
    public IReadOnlyDictionary<string, string> MetaSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets more replica server configuration (<c>--Key=Value</c>), applied last.</summary>
    public IReadOnlyDictionary<string, string> ReplicaSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the bound of each recovery wait after the run: servers back, table healthy, final reads.</summary>
    /// <value>Defaults to 90 seconds.</value>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Gets the bound of each wait for a server to start and for the new table to be served.</summary>
    /// <value>Defaults to 90 seconds.</value>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Gets the table's name.</summary>
    /// <value>Defaults to <c>chaos</c>.</value>
    public string Table { get; init; } = "chaos";

    /// <summary>Gets when the cluster's data is kept (its server logs are kept whenever the run fails).</summary>
    /// <value>Defaults to <see cref="KeepDataPolicy.Never"/>.</value>
    public KeepDataPolicy KeepData { get; init; } = KeepDataPolicy.Never;

    /// <summary>Lists every problem with these settings; empty when they are valid.</summary>
    /// <returns>Human-readable descriptions.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Duration <= TimeSpan.Zero)
        {
            errors.Add("the duration must be positive");
        }

        if (Servers < 1 || Processes < 1 || ReplicaCount < 1)
        {
            errors.Add("servers, processes and the replica count must be positive");
        }

        if (ReplicaCount > Servers)
        {
            errors.Add($"a replica count of {ReplicaCount} needs at least as many servers (not {Servers})");
        }

        if (!Pegasus.Protocol.Hashing.PartitionResolver.IsValidPartitionCount(Partitions))
        {
            errors.Add($"the partition count must be a power of two, not {Partitions}");
        }

        if (OperationTimeout <= TimeSpan.Zero || RecoveryTimeout <= TimeSpan.Zero || StartTimeout <= TimeSpan.Zero)
        {
            errors.Add("timeouts must be positive");
        }

        if (Rate < 0 || RegisterKeysPerPartition < 0 || CounterKeysPerPartition < 0 || RegisterKeysPerPartition + CounterKeysPerPartition == 0)
        {
            errors.Add("the rate must be >= 0 and each partition needs at least one key");
        }

        if (string.IsNullOrWhiteSpace(HistoryPath))
        {
            errors.Add("a history path is required");
        }

        errors.AddRange(NemesisTiming.Validate());
        return errors;
    }
}
