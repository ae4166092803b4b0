namespace Pegasus.ZooKeeper.Protocol;

/// <summary>The first packet on a connection: opens a new session (id 0) or resumes one.</summary>
internal readonly record struct ConnectRequest(long LastZxidSeen, int TimeoutMilliseconds, long SessionId, byte[] Password)
{
    public OutgoingFrame ToFrame()
    {
        using var writer = new JuteWriter(64);
        writer.WriteInt32(0); // protocolVersion
        writer.WriteInt64(LastZxidSeen);
        writer.WriteInt32(TimeoutMilliseconds);
        writer.WriteInt64(SessionId);
        writer.WriteBuffer(Password);
        // readOnly: this client never asks for read-only mode.
        writer.WriteBool(false);
        return writer.ToFrame();
    }
}

/// <summary>The server's answer to a <see cref="ConnectRequest"/>; a timeout of 0 means the session expired.</summary>
internal readonly record struct ConnectResponse(int TimeoutMilliseconds, long SessionId, byte[] Password)
{
    public bool IsExpired => TimeoutMilliseconds <= 0;

    public static ConnectResponse Read(ref JuteReader reader)
    {
        _ = reader.ReadInt32(); // protocolVersion
        var timeout = reader.ReadInt32();
        var sessionId = reader.ReadInt64();
        var password = reader.ReadBuffer();
        // A trailing readOnly flag may follow; it is ignored.
        return new ConnectResponse(timeout, sessionId, password);
    }
}

/// <summary>The header of every reply after the handshake.</summary>
internal readonly record struct ReplyHeader(int Xid, long Zxid, int Err)
{
    public static ReplyHeader Read(ref JuteReader reader) => new(reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt32());
}

/// <summary>A watch notification as sent by the server (xid -1).</summary>
internal readonly record struct WatcherEventRecord(int Type, int State, string Path)
{
    public static WatcherEventRecord Read(ref JuteReader reader) =>
        new(reader.ReadInt32(), reader.ReadInt32(), reader.ReadString() ?? string.Empty);
}
