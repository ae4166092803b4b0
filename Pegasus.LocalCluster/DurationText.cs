using System.Globalization;

namespace Pegasus.LocalCluster;

/// <summary>Reads and writes durations the way people type them on a command line: <c>500ms</c>, <c>20s</c>, <c>2m</c>, <c>1h</c>.</summary>
public static class DurationText
{
    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];

    /// <summary>Parses <c>&lt;number&gt;&lt;ms|s|m|h&gt;</c>, or a <see cref="TimeSpan"/> such as <c>00:00:20</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The duration when the text is valid.</param>
    /// <returns>Whether the text is a non-negative duration.</returns>
    public static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();

        // "ms" is tried before "s" and "m" so "500ms" is not read as 500m + "s".
        foreach (var (suffix, seconds) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                && number >= 0 && double.IsFinite(number))
            {
                value = TimeSpan.FromSeconds(number * seconds);
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    /// <summary>Formats a duration compactly (<c>20 s</c>, <c>500 ms</c>, <c>2 min</c>).</summary>
    /// <param name="value">The duration.</param>
    /// <returns>The text.</returns>
    public static string Format(TimeSpan value) => value switch
    {
        { TotalSeconds: < 1 } => value.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms",
        { TotalMinutes: < 2 } => value.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + " s",
        _ => value.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture) + " min",
    };
}
