using System.Globalization;

namespace Pegasus.Protocol.Time;

/// <summary>
/// The <c>default_ttl</c> app env (Pegasus's): a table's TTL in whole seconds for records written without one; 0 or
/// absent = none. The meta server checks it before storing it and the replica servers apply it, so both read it here.
/// </summary>
public static class DefaultTtlEnv
{
    /// <summary>The app env's key.</summary>
    public const string Key = "default_ttl";

    /// <summary>Parses a <c>default_ttl</c> value: digits only, 0 to <see cref="int.MaxValue"/>.</summary>
    /// <param name="value">The env's value.</param>
    /// <param name="seconds">The TTL in seconds; 0 = none.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryParse(string? value, out int seconds)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out seconds);
}
