using Pegasus.Protocol.Hashing;

namespace Pegasus.Meta.Tables;

/// <summary>What a table's name, partition count and replica count may be.</summary>
public static class TableRules
{
    /// <summary>The longest table name.</summary>
    public const int MaxNameLength = 128;

    /// <summary>The most partitions a table may have.</summary>
    public const int MaxPartitionCount = 1024;

    /// <summary>The fewest copies of each partition.</summary>
    public const int MinReplicaCount = 1;

    /// <summary>The most copies of each partition.</summary>
    public const int MaxReplicaCount = 5;

    /// <summary>The partition count when a create request names none (as Pegasus's shell).</summary>
    public const int DefaultPartitionCount = 4;

    /// <summary>The replica count when a create request names none (as Pegasus's shell).</summary>
    public const int DefaultReplicaCount = 3;

    /// <summary>Checks a table name: 1..128 characters of <c>[A-Za-z0-9_.:-]</c>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>Null when valid, else why not.</returns>
    public static string? ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "The table name is empty.";
        }

        if (name.Length > MaxNameLength)
        {
            return $"The table name is {name.Length} characters long; at most {MaxNameLength} are allowed.";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-'))
            {
                return $"The table name '{name}' contains '{c}'; only letters, digits and _ . : - are allowed.";
            }
        }

        return null;
    }

    /// <summary>Checks a partition count: a power of two from 1 to <see cref="MaxPartitionCount"/>.</summary>
    /// <param name="partitionCount">The count.</param>
    /// <returns>Null when valid, else why not.</returns>
    public static string? ValidatePartitionCount(int partitionCount)
        => PartitionResolver.IsValidPartitionCount(partitionCount) && partitionCount <= MaxPartitionCount
            ? null
            : $"The partition count must be a power of two from 1 to {MaxPartitionCount} (was {partitionCount}).";

    /// <summary>Checks a replica count: <see cref="MinReplicaCount"/> to <see cref="MaxReplicaCount"/>.</summary>
    /// <param name="replicaCount">The count.</param>
    /// <returns>Null when valid, else why not.</returns>
    public static string? ValidateReplicaCount(int replicaCount)
        => replicaCount is >= MinReplicaCount and <= MaxReplicaCount
            ? null
            : $"The replica count must be from {MinReplicaCount} to {MaxReplicaCount} (was {replicaCount}).";
}
