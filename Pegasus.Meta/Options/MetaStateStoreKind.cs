namespace Pegasus.Meta.Options;

/// <summary>Where the meta server keeps the durable cluster metadata.</summary>
public enum MetaStateStoreKind
{
    /// <summary>A local file under <see cref="MetaOptions.DataDirectory"/>; one meta server, always leader.</summary>
    Embedded,

    /// <summary>ZooKeeper: several meta servers, one elected leader, the others hot standby.</summary>
    ZooKeeper,
}
