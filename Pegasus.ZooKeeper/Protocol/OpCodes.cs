namespace Pegasus.ZooKeeper.Protocol;

/// <summary>Request types (proto.h / ZooDefs.OpCode) this client sends.</summary>
internal static class OpCodes
{
    public const int Create = 1;
    public const int Delete = 2;
    public const int Exists = 3;
    public const int GetData = 4;
    public const int SetData = 5;
    public const int Ping = 11;
    public const int GetChildren2 = 12;
    public const int Check = 13;
    public const int Multi = 14;
    public const int CloseSession = -11;
    public const int SetWatches = 101;

    /// <summary>The type of a failed operation's result inside a multi response.</summary>
    public const int Error = -1;
}

/// <summary>Reserved xids: replies carrying them do not answer a numbered request.</summary>
internal static class Xids
{
    public const int Notification = -1;
    public const int Ping = -2;
    public const int SetWatches = -8;
}
