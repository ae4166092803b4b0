using Pegasus.ZooKeeper.Operations;
using Pegasus.ZooKeeper.Protocol;

namespace Pegasus.ZooKeeper;

/// <summary>One operation of a <see cref="ZooKeeperClient.MultiAsync"/> transaction.</summary>
/// <param name="Path">The node the operation is about, relative to the chroot.</param>
public abstract record MultiOp(string Path)
{
    /// <summary>Creates a node (open ACL).</summary>
    public static MultiOp Create(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent) =>
        new CreateOp(path, data, mode);

    /// <summary>Deletes a node if its version matches (-1 = any version).</summary>
    public static MultiOp Delete(string path, int version = -1) => new DeleteOp(path, version);

    /// <summary>Sets a node's data if its version matches (-1 = any version).</summary>
    public static MultiOp SetData(string path, ReadOnlyMemory<byte> data, int version = -1) => new SetDataOp(path, data, version);

    /// <summary>Fails the transaction unless the node exists with this version (-1 = any version).</summary>
    public static MultiOp Check(string path, int version) => new CheckOp(path, version);

    internal abstract int OpCode { get; }

    internal virtual bool IsSequential => false;

    internal abstract void Write(JuteWriter writer, string serverPath);
}

/// <summary>A create inside a transaction.</summary>
/// <param name="Path">The node to create.</param>
/// <param name="Data">The node's data.</param>
/// <param name="Mode">Persistent or ephemeral, optionally sequential.</param>
public sealed record CreateOp(string Path, ReadOnlyMemory<byte> Data, CreateMode Mode) : MultiOp(Path)
{
    internal override int OpCode => OpCodes.Create;

    internal override bool IsSequential => Mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential;

    internal override void Write(JuteWriter writer, string serverPath)
    {
        writer.WriteString(serverPath);
        writer.WriteBuffer(Data.Span);
        RequestRecords.WriteOpenAcl(writer);
        writer.WriteInt32((int)Mode);
    }
}

/// <summary>A delete inside a transaction.</summary>
/// <param name="Path">The node to delete.</param>
/// <param name="Version">The expected version, or -1 for any.</param>
public sealed record DeleteOp(string Path, int Version) : MultiOp(Path)
{
    internal override int OpCode => OpCodes.Delete;

    internal override void Write(JuteWriter writer, string serverPath)
    {
        writer.WriteString(serverPath);
        writer.WriteInt32(Version);
    }
}

/// <summary>A setData inside a transaction.</summary>
/// <param name="Path">The node to update.</param>
/// <param name="Data">The new data.</param>
/// <param name="Version">The expected version, or -1 for any.</param>
public sealed record SetDataOp(string Path, ReadOnlyMemory<byte> Data, int Version) : MultiOp(Path)
{
    internal override int OpCode => OpCodes.SetData;

    internal override void Write(JuteWriter writer, string serverPath)
    {
        writer.WriteString(serverPath);
        writer.WriteBuffer(Data.Span);
        writer.WriteInt32(Version);
    }
}

/// <summary>A version check inside a transaction.</summary>
/// <param name="Path">The node to check.</param>
/// <param name="Version">The required version, or -1 for "exists".</param>
public sealed record CheckOp(string Path, int Version) : MultiOp(Path)
{
    internal override int OpCode => OpCodes.Check;

    internal override void Write(JuteWriter writer, string serverPath)
    {
        writer.WriteString(serverPath);
        writer.WriteInt32(Version);
    }
}
