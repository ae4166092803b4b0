namespace Pegasus.Chaos.History;

/// <summary>The operations a history records (the JSON <c>op</c> field).</summary>
public enum HistoryOpKind
{
    /// <summary><c>get</c>: reads a key; the result is its value or null.</summary>
    Get,

    /// <summary><c>set</c>: writes <see cref="HistoryOperation.Value"/>.</summary>
    Set,

    /// <summary><c>del</c>: deletes the key.</summary>
    Del,

    /// <summary><c>incr</c>: adds <see cref="HistoryOperation.Delta"/>; the result is the new value.</summary>
    Incr,

    /// <summary><c>cas</c>: writes <see cref="HistoryOperation.Value"/> if the key holds <see cref="HistoryOperation.Expect"/> (null: absent).</summary>
    Cas,
}

/// <summary>How an operation ended (the JSON <c>status</c> field).</summary>
public enum HistoryStatus
{
    /// <summary><c>ok</c>: it happened, with the recorded result.</summary>
    Ok,

    /// <summary><c>fail</c>: it certainly did not happen.</summary>
    Fail,

    /// <summary><c>unknown</c>: timed out or the connection was lost; it may or may not have happened.</summary>
    Unknown,
}

/// <summary>
/// One line of a history in the project's JSON Lines format (the PacificA issue fixes it exactly):
/// <c>{"process":0,"key":"hk/sk","op":"set","value":"p0-17","call":1000,"return":1900,"status":"ok"}</c>.
/// Times are nanoseconds from one monotonic clock; a process never has two operations in flight.
/// </summary>
/// <param name="Process">The logical client that ran it.</param>
/// <param name="Key">The key, <c>hashKey/sortKey</c>.</param>
/// <param name="Op">The operation.</param>
/// <param name="Value">The value written (set, cas); null otherwise.</param>
/// <param name="Expect">The value cas expects; null means the key must be absent (cas only).</param>
/// <param name="Delta">The increment (incr only).</param>
/// <param name="Call">When it was invoked, ns.</param>
/// <param name="Return">When it returned, ns; required for ok.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Result">With ok only: get → value or null; incr → new value (decimal); cas → "true"/"false".</param>
/// <param name="Meta">Free-form detail (an error message, the server that answered).</param>
public sealed record HistoryOperation(
    int Process,
    string Key,
    HistoryOpKind Op,
    string? Value,
    string? Expect,
    long? Delta,
    long Call,
    long? Return,
    HistoryStatus Status,
    string? Result,
    string? Meta = null);
