using Pegasus.ZooKeeper.Protocol;

namespace Pegasus.ZooKeeper;

/// <summary>The metadata ZooKeeper keeps for a node.</summary>
/// <param name="Czxid">The zxid of the change that created the node.</param>
/// <param name="Mzxid">The zxid of the change that last modified the node's data.</param>
/// <param name="Ctime">Creation time, milliseconds since the Unix epoch.</param>
/// <param name="Mtime">Last modification time, milliseconds since the Unix epoch.</param>
/// <param name="Version">The number of changes to the node's data (the version to pass for a compare-and-set).</param>
/// <param name="Cversion">The number of changes to the node's children.</param>
/// <param name="Aversion">The number of changes to the node's ACL.</param>
/// <param name="EphemeralOwner">The owning session id for an ephemeral node, else 0.</param>
/// <param name="DataLength">The length of the node's data.</param>
/// <param name="NumChildren">The number of children.</param>
/// <param name="Pzxid">The zxid of the change that last modified the node's children.</param>
public sealed record Stat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid)
{
    internal static Stat Read(ref JuteReader reader) => new(
        Czxid: reader.ReadInt64(),
        Mzxid: reader.ReadInt64(),
        Ctime: reader.ReadInt64(),
        Mtime: reader.ReadInt64(),
        Version: reader.ReadInt32(),
        Cversion: reader.ReadInt32(),
        Aversion: reader.ReadInt32(),
        EphemeralOwner: reader.ReadInt64(),
        DataLength: reader.ReadInt32(),
        NumChildren: reader.ReadInt32(),
        Pzxid: reader.ReadInt64());
}
