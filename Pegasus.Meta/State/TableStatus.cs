namespace Pegasus.Meta.State;

/// <summary>The lifecycle state of a table.</summary>
public enum TableStatus
{
    /// <summary>Created and served.</summary>
    Available,

    /// <summary>Dropped: no longer routed; its name is free again and replica servers delete its data.</summary>
    Dropped,
}
