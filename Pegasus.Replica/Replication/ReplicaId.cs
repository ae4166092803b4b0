using System.Globalization;

namespace Pegasus.Replica.Replication;

/// <summary>Identifies a partition replica on this node: the table's app id and the partition index.</summary>
/// <param name="AppId">The table's id, assigned by the meta server.</param>
/// <param name="PartitionIndex">The partition's index within the table.</param>
public readonly record struct ReplicaId(int AppId, int PartitionIndex)
{
    /// <summary>Gets the name of the replica's directory under the data directory: <c>&lt;appId&gt;.&lt;partitionIndex&gt;</c>.</summary>
    public string DirectoryName => ToString();

    /// <summary>Parses a replica directory name.</summary>
    /// <param name="name">A name such as <c>3.7</c>.</param>
    /// <param name="id">The id, when the name is one.</param>
    /// <returns>Whether <paramref name="name"/> is a replica directory name.</returns>
    public static bool TryParseDirectoryName(string name, out ReplicaId id)
    {
        id = default;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0
            || !int.TryParse(name.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var appId)
            || !int.TryParse(name.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partitionIndex))
        {
            return false;
        }

        id = new ReplicaId(appId, partitionIndex);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{AppId}.{PartitionIndex}");
}
