using System.Diagnostics;

namespace Pegasus.Replica.Diagnostics;

/// <summary>Names of the replica server's own telemetry sources.</summary>
public static class ReplicaTelemetry
{
    /// <summary>The name of the replica server's <see cref="ActivitySource"/> and <c>Meter</c>.</summary>
    public const string Name = "Pegasus.Replica";

    /// <summary>Spans of data requests served by this node, parented to the caller's trace context.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);
}
