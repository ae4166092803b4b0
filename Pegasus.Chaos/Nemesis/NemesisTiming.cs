using System.Globalization;

namespace Pegasus.Chaos.Nemesis;

/// <summary>A duration drawn uniformly between <see cref="Min"/> and <see cref="Max"/>.</summary>
/// <param name="Min">The shortest.</param>
/// <param name="Max">The longest.</param>
public readonly record struct DurationRange(TimeSpan Min, TimeSpan Max)
{
    /// <summary>Draws a duration.</summary>
    /// <param name="random">The seeded source.</param>
    /// <returns>A duration in [<see cref="Min"/>, <see cref="Max"/>].</returns>
    public TimeSpan Draw(Random random) => Min + ((Max - Min) * random.NextDouble());

    /// <inheritdoc />
    public override string ToString() => Min == Max ? Seconds(Min) : $"{Seconds(Min)}-{Seconds(Max)}";

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}

/// <summary>When faults happen and how long each lasts.</summary>
public sealed record NemesisTiming
{
    /// <summary>Gets the time from one fault's start to the next one's (also the first fault's start after the workload began).</summary>
    /// <value>Defaults to 20-30 s.</value>
    public DurationRange Interval { get; init; } = new(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

    /// <summary>Gets the most faults a run injects; null for no limit.</summary>
    /// <value>Defaults to null.</value>
    public int? MaxFaults { get; init; }

    /// <summary>Gets how long a killed replica server stays down.</summary>
    /// <value>Defaults to 3-6 s.</value>
    public DurationRange KillDowntime { get; init; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6));

    /// <summary>Gets how long a paused server stays stopped: longer than its lease, so a new primary may take over.</summary>
    /// <value>Defaults to 6-8 s.</value>
    public DurationRange PauseTime { get; init; } = new(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(8));

    /// <summary>Gets how long a server's links stay cut.</summary>
    /// <value>Defaults to 5-10 s.</value>
    public DurationRange PartitionTime { get; init; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));

    /// <summary>Gets how long a killed meta server (or, after crash-all, every process) stays down.</summary>
    /// <value>Defaults to 3-6 s.</value>
    public DurationRange MetaDowntime { get; init; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6));

    /// <summary>Lists every problem; empty when valid.</summary>
    /// <returns>Human-readable descriptions.</returns>
    public IEnumerable<string> Validate()
    {
        foreach (var (name, range) in new[] { ("interval", Interval), ("kill downtime", KillDowntime), ("pause time", PauseTime), ("partition time", PartitionTime), ("meta downtime", MetaDowntime) })
        {
            if (range.Min < TimeSpan.Zero || range.Max < range.Min)
            {
                yield return $"the nemesis {name} {range} must be a non-negative range (min <= max)";
            }
        }

        if (MaxFaults < 0)
        {
            yield return "the most faults must not be negative";
        }

        if (Interval.Min <= TimeSpan.Zero)
        {
            yield return "the nemesis interval must be positive";
        }
    }
}
