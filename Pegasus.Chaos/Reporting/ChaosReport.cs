using Pegasus.Chaos.Nemesis;
using Pegasus.Chaos.Workload;

namespace Pegasus.Chaos.Reporting;

/// <summary>Everything a chaos run found: what ran, what happened, and every check's result.</summary>
public sealed record ChaosReport
{
    /// <summary>Gets the seed the run used (give it to <c>--seed</c> to repeat its choices).</summary>
    public int Seed { get; init; }

    /// <summary>Gets a one-line description of the run's settings.</summary>
    public string Settings { get; init; } = "";

    /// <summary>Gets the history file's full path.</summary>
    public string HistoryPath { get; init; } = "";

    /// <summary>Gets the cluster's directory when its server logs (<c>logs/</c>) or its data were kept; null when deleted.</summary>
    public string? ClusterDirectory { get; init; }

    /// <summary>Gets a value indicating whether the servers' data was kept in <see cref="ClusterDirectory"/> (not only their logs).</summary>
    public bool ClusterDataKept { get; init; }

    /// <summary>Gets how long the workload ran, in seconds.</summary>
    public double WorkloadSeconds { get; init; }

    /// <summary>Gets operation counts by kind and outcome (final reads included).</summary>
    public IReadOnlyList<OperationCount> Operations { get; init; } = [];

    /// <summary>Gets the linearizability checker's verdict.</summary>
    public CheckVerdict Checker { get; init; } = new("Unchecked", false, "", TimeSpan.Zero);

    /// <summary>Gets what the final reads say about acknowledged writes.</summary>
    public LostWriteReport LostWrites { get; init; } = new(0, 0, 0, []);

    /// <summary>Gets the final reads' outcome.</summary>
    public FinalReadSummary FinalReads { get; init; } = new(0, 0, 0, []);

    /// <summary>Gets the table's state after recovery.</summary>
    public TableHealth FinalHealth { get; init; } = new(false, 0, [], null);

    /// <summary>Gets the longest write unavailability of each kill.</summary>
    public IReadOnlyList<KillUnavailability> Kills { get; init; } = [];

    /// <summary>Gets every nemesis event.</summary>
    public IReadOnlyList<NemesisEvent> Events { get; init; } = [];

    /// <summary>Gets every reason the run failed; empty when it passed.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Gets a value indicating whether every check passed: linearizable, nothing lost, every key read, table healthy.</summary>
    public bool Passed => Problems.Count == 0;
}
