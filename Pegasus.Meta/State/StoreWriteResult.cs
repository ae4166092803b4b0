namespace Pegasus.Meta.State;

/// <summary>How a state store write ended. Conflicts are expected results, not exceptions.</summary>
public enum StoreWriteStatus
{
    /// <summary>The write was applied and is durable.</summary>
    Ok,

    /// <summary>
    /// The record changed since it was read (its version differs): someone else, e.g. a newer
    /// meta leader, wrote it. Nothing was written; reload before trying again.
    /// </summary>
    VersionConflict,

    /// <summary>Creating a table whose name an available table already has. Nothing was written.</summary>
    NameTaken,

    /// <summary>The table or partition does not exist (or the table was dropped). Nothing was written.</summary>
    NotFound,

    /// <summary>A partition update whose ballot is not above the stored one. Nothing was written.</summary>
    StaleBallot,
}

/// <summary>The outcome of a state store write and, on success, the record(s) as now stored.</summary>
/// <typeparam name="T">What a successful write returns.</typeparam>
/// <param name="Status">How the write ended.</param>
/// <param name="Value">The stored value with its new version; default unless <see cref="Status"/> is <see cref="StoreWriteStatus.Ok"/>.</param>
public readonly record struct StoreWriteResult<T>(StoreWriteStatus Status, T? Value)
{
    /// <summary>Gets whether the write was applied.</summary>
    public bool IsOk => Status == StoreWriteStatus.Ok;

    /// <summary>A successful write.</summary>
    /// <param name="value">The stored value.</param>
    /// <returns>The result.</returns>
    public static StoreWriteResult<T> Ok(T value) => new(StoreWriteStatus.Ok, value);

    /// <summary>A write that was not applied.</summary>
    /// <param name="status">Why not; anything but <see cref="StoreWriteStatus.Ok"/>.</param>
    /// <returns>The result.</returns>
    public static StoreWriteResult<T> Failed(StoreWriteStatus status) => new(status, default);
}

/// <summary>What creating a table stored.</summary>
/// <param name="Table">The new table and its partitions (every version 0).</param>
/// <param name="NextAppId">The advanced next-app-id counter.</param>
public sealed record CreatedTable(StoredTable Table, Versioned<int> NextAppId);
