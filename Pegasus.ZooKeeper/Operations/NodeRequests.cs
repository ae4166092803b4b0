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

/// <summary>exists: the node's stat, or null when it is missing; a watch is kept either way.</summary>
internal sealed class ExistsRequest(string clientPath, string serverPath, Action<WatchedEvent>? watcher, WatchManager watches)
    : PendingRequest<Stat?>(OpCodes.Exists, clientPath)
{
    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteBool(watcher is not null);
    }

    protected override Stat? Read(ref JuteReader body)
    {
        // Registered while the receive loop holds this reply, so no later event can overtake it.
        if (watcher is not null)
        {
            watches.AddData(serverPath, watcher);
        }

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
        if (watcher is not null)
        {
            watches.AddExist(serverPath, watcher);
        }

        return true;
    }
}

/// <summary>getData: data and stat, optionally leaving a data watch.</summary>
internal sealed class GetDataRequest(string clientPath, string serverPath, Action<WatchedEvent>? watcher, WatchManager watches)
    : PendingRequest<DataResult>(OpCodes.GetData, clientPath)
{
    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteBool(watcher is not null);
    }

    protected override DataResult Read(ref JuteReader body)
    {
        if (watcher is not null)
        {
            watches.AddData(serverPath, watcher);
        }

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
    : PendingRequest<ChildrenResult>(OpCodes.GetChildren2, clientPath)
{
    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteBool(watcher is not null);
    }

    protected override ChildrenResult Read(ref JuteReader body)
    {
        if (watcher is not null)
        {
            watches.AddChild(serverPath, watcher);
        }

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
