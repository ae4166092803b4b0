using Pegasus.Protocol.Data;

namespace Pegasus.Replica.Storage;

/// <summary>Pegasus's hash-key / sort-key filters (<c>validate_filter</c>).</summary>
internal static class KeyFilter
{
    public static bool IsSupported(FilterType type) => type is FilterType.NoFilter
        or FilterType.MatchAnywhere or FilterType.MatchPrefix or FilterType.MatchPostfix;

    /// <summary>An empty pattern matches everything, as in Pegasus.</summary>
    public static bool Matches(FilterType type, ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> key)
    {
        if (type == FilterType.NoFilter || pattern.IsEmpty)
        {
            return true;
        }

        if (key.Length < pattern.Length)
        {
            return false;
        }

        return type switch
        {
            FilterType.MatchAnywhere => key.IndexOf(pattern) >= 0,
            FilterType.MatchPrefix => key.StartsWith(pattern),
            FilterType.MatchPostfix => key.EndsWith(pattern),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported filter type; check IsSupported first"),
        };
    }
}
