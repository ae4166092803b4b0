using System.Diagnostics;
using System.Globalization;

namespace Pegasus.Chaos.Workload;

/// <summary>
/// The one monotonic clock of a run: nanoseconds since the run started, from <see cref="Stopwatch.GetTimestamp"/>.
/// Operation call/return times and nemesis events all come from it, so they can be compared.
/// </summary>
public sealed class HistoryClock
{
    private readonly long _origin = Stopwatch.GetTimestamp();

    /// <summary>Gets the current time in nanoseconds since the clock was created.</summary>
    /// <returns>Nanoseconds, never decreasing.</returns>
    public long Now() => ToNanoseconds(Stopwatch.GetTimestamp() - _origin);

    /// <summary>Converts <see cref="Stopwatch"/> ticks to nanoseconds.</summary>
    /// <param name="ticks">Stopwatch ticks.</param>
    /// <returns>Nanoseconds.</returns>
    public static long ToNanoseconds(long ticks)
        => Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)((Int128)ticks * 1_000_000_000 / Stopwatch.Frequency);

    /// <summary>Formats a clock time as seconds, e.g. <c>25.031s</c>.</summary>
    /// <param name="nanoseconds">A time of this clock.</param>
    /// <returns>The text.</returns>
    public static string Format(long nanoseconds) => (nanoseconds / 1e9).ToString("0.000", CultureInfo.InvariantCulture) + "s";
}
