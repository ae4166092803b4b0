namespace Pegasus.Replica.Replication.Log;

/// <summary>When the mutation log makes an append durable.</summary>
public enum LogFlushMode
{
    /// <summary>
    /// Every append is written to the operating system at once; a timer fsyncs the active segment
    /// every <see cref="MutationLogOptions.FsyncInterval"/>. A machine crash may lose the last
    /// interval, a process crash loses nothing.
    /// </summary>
    Interval,

    /// <summary>Every append is fsynced before it returns.</summary>
    Always,
}
