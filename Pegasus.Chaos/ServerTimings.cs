using System.Globalization;

namespace Pegasus.Chaos;

/// <summary>
/// The replication timing the tool hands the servers: development values, much shorter than production's, so a run
/// sees failures detected and repaired within seconds. Lease &lt; grace period, as the design requires.
/// </summary>
public sealed record ServerTimings
{
    /// <summary>Gets <c>Replica:BeaconInterval</c>: how often a replica server beacons the meta server.</summary>
    /// <value>Defaults to 500 ms.</value>
    public TimeSpan BeaconInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets <c>Replica:LeaseTimeout</c>: how long a replica server serves after its last successful beacon.</summary>
    /// <value>Defaults to 3 seconds.</value>
    public TimeSpan LeaseTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets <c>Meta:ReplicaGracePeriod</c>: how long the meta server waits for a beacon before it declares a replica server dead.</summary>
    /// <value>Defaults to 4 seconds.</value>
    public TimeSpan ReplicaGracePeriod { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Gets <c>Replica:PrepareTimeout</c>: how long a primary waits for a secondary's prepare acknowledgement (servers that do not know it ignore it).</summary>
    /// <value>Defaults to 2 seconds.</value>
    public TimeSpan PrepareTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The meta server's share of the settings.</summary>
    /// <returns>Configuration keys to values.</returns>
    public Dictionary<string, string> MetaConfiguration() => new()
    {
        ["Meta:ReplicaGracePeriod"] = Format(ReplicaGracePeriod),
    };

    /// <summary>The replica servers' share of the settings.</summary>
    /// <returns>Configuration keys to values.</returns>
    public Dictionary<string, string> ReplicaConfiguration() => new()
    {
        ["Replica:BeaconInterval"] = Format(BeaconInterval),
        ["Replica:LeaseTimeout"] = Format(LeaseTimeout),
        ["Replica:PrepareTimeout"] = Format(PrepareTimeout),
    };

    /// <inheritdoc />
    public override string ToString()
        => $"beacon {Format(BeaconInterval)}, lease {Format(LeaseTimeout)}, grace {Format(ReplicaGracePeriod)}, prepare timeout {Format(PrepareTimeout)}";

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
