using Pegasus.Protocol.Time;

namespace Pegasus.Meta.Tables;

/// <summary>
/// What a table's app envs may hold. Pegasus's meta checks known keys before storing them (its app_env_validator);
/// the ones the replica servers act on are checked here, any other key is stored as given.
/// </summary>
public static class AppEnvRules
{
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

            if (key == DefaultTtlEnv.Key && !DefaultTtlEnv.TryParse(value, out _))
            {
                return $"{DefaultTtlEnv.Key} must be a whole number of seconds from 0 to {int.MaxValue}, not '{value}'.";
            }
        }

        return null;
    }
}
