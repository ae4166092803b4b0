using Pegasus.ZooKeeper.Protocol;
using Pegasus.ZooKeeper.Watches;

namespace Pegasus.ZooKeeper.Operations;

/// <summary>create: returns the created path (relative to the chroot), which differs from the requested one for sequential nodes.</summary>
internal sealed class CreateRequest(string clientPath, string serverPath, ReadOnlyMemory<byte> data, CreateMode mode, string? chroot)
    : PendingRequest<string>(OpCodes.Create, clientPath)
{
    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteBuffer(data.Span);
        RequestRecords.WriteOpenAcl(writer);
        writer.WriteInt32((int)mode);
    }

    protected override string Read(ref JuteReader body) => ZooKeeperPath.ToClient(chroot, body.ReadString() ?? serverPath);
}

/// <summary>delete with an expected version (-1 = any).</summary>
internal sealed class DeleteRequest(string clientPath, string serverPath, int version)
    : PendingRequest<bool>(OpCodes.Delete, clientPath)
{
    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteInt32(version);
    }

    protected override bool Read(ref JuteReader body) => true;
}

/// <summary>
/// A read that can leave a watch (exists, getData, getChildren2): its body is the path and a watch
/// flag, and the reply's reader registers the watch in the table that fits the outcome.
/// </summary>
internal abstract class WatchingRequest<T>(int opCode, string clientPath, string serverPath, Action<WatchedEvent>? watcher, WatchManager watches)
    : PendingRequest<T>(opCode, clientPath)
{
    public sealed override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteBool(watcher is not null);
    }

    /// <summary>Registers the watch, if one was asked for, with <paramref name="add"/> (which picks the table).</summary>
    /// <param name="add">Adds a watcher for a server path to one of the manager's tables.</param>
    protected void KeepWatch(Action<WatchManager, string, Action<WatchedEvent>> add)
    {
        // Registered while the receive loop holds this reply, so no later event can overtake it.
        if (watcher is not null)
        {
            add(watches, serverPath, watcher);
        }
    }
}

/// <summary>exists: the node's stat, or null when it is missing; a watch is kept either way.</summary>
internal sealed class ExistsRequest(string clientPath, string serverPath, Action<WatchedEvent>? watcher, WatchManager watches)
    : WatchingRequest<Stat?>(OpCodes.Exists, clientPath, serverPath, watcher, watches)
{
    protected override Stat? Read(ref JuteReader body)
    {
        KeepWatch(static (table, path, action) => table.AddData(path, action));
        return Stat.Read(ref body);
    }

    protected override bool TryReadError(ZooKeeperErrorCode code, out Stat? result)
    {
        result = null;
        if (code != ZooKeeperErrorCode.NoNode)
        {
            return false;
        }

        // The server keeps a watch for the node's creation.
        KeepWatch(static (table, path, action) => table.AddExist(path, action));
        return true;
    }
}

/// <summary>getData: data and stat, optionally leaving a data watch.</summary>
internal sealed class GetDataRequest(string clientPath, string serverPath, Action<WatchedEvent>? watcher, WatchManager watches)
    : WatchingRequest<DataResult>(OpCodes.GetData, clientPath, serverPath, watcher, watches)
{
    protected override DataResult Read(ref JuteReader body)
    {
        KeepWatch(static (table, path, action) => table.AddData(path, action));
        var data = body.ReadBuffer();
        return new DataResult(data, Stat.Read(ref body));
    }
}

/// <summary>setData with an expected version (-1 = any): returns the new stat.</summary>
internal sealed class SetDataRequest(string clientPath, string serverPath, ReadOnlyMemory<byte> data, int version)
    : PendingRequest<Stat>(OpCodes.SetData, clientPath)
{
    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteBuffer(data.Span);
        writer.WriteInt32(version);
    }

    protected override Stat Read(ref JuteReader body) => Stat.Read(ref body);
}

/// <summary>getChildren2: children and the parent's stat, optionally leaving a child watch.</summary>
internal sealed class GetChildrenRequest(string clientPath, string serverPath, Action<WatchedEvent>? watcher, WatchManager watches)
    : WatchingRequest<ChildrenResult>(OpCodes.GetChildren2, clientPath, serverPath, watcher, watches)
{
    protected override ChildrenResult Read(ref JuteReader body)
    {
        KeepWatch(static (table, path, action) => table.AddChild(path, action));
        var children = body.ReadStringVector();
        return new ChildrenResult(children, Stat.Read(ref body));
    }
}

/// <summary>closeSession: ends the session on the server (its ephemeral nodes go at once).</summary>
internal sealed class CloseSessionRequest() : PendingRequest<bool>(OpCodes.CloseSession, null)
{
    public override void WriteBody(JuteWriter writer)
    {
    }

    protected override bool Read(ref JuteReader body) => true;
}
