using System.Globalization;

namespace Pegasus.Meta.Tables;

/// <summary>
/// What a table's app envs may hold. Pegasus's meta checks known keys before storing them (its app_env_validator);
/// the ones the replica servers act on are checked here, any other key is stored as given.
/// </summary>
public static class AppEnvRules
{
    /// <summary>Records written without a TTL get this many seconds (Pegasus's <c>default_ttl</c>; 0 = none).</summary>
    public const string DefaultTtl = "default_ttl";

    /// <summary>Checks envs about to be set.</summary>
    /// <param name="envs">The keys and values.</param>
    /// <returns>Null when valid, else why not.</returns>
    public static string? Validate(IReadOnlyDictionary<string, string> envs)
    {
        foreach (var (key, value) in envs)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                return "An app env key must not be empty.";
            }

            if (key == DefaultTtl && !TryParseDefaultTtl(value, out _))
            {
                return $"{DefaultTtl} must be a whole number of seconds from 0 to {int.MaxValue}, not '{value}'.";
            }
        }

        return null;
    }

    /// <summary>Parses a <c>default_ttl</c> value.</summary>
    /// <param name="value">The env's value.</param>
    /// <param name="seconds">The TTL in seconds; 0 = none.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryParseDefaultTtl(string? value, out int seconds)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out seconds);
}
