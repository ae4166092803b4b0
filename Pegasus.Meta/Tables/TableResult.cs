using Pegasus.Protocol;

namespace Pegasus.Meta.Tables;

/// <summary>The outcome of a table operation: a value, or a Pegasus error code with a message.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="Error">The error code; <see cref="ErrorCode.Ok"/> on success.</param>
/// <param name="Message">Why it failed; null on success.</param>
/// <param name="Value">The value on success; null otherwise.</param>
public readonly record struct TableResult<T>(ErrorCode Error, string? Message, T? Value)
    where T : class
{
    /// <summary>Gets whether the operation succeeded.</summary>
    public bool IsOk => Error == ErrorCode.Ok;

    /// <summary>A success.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The result.</returns>
    public static TableResult<T> Ok(T value) => new(ErrorCode.Ok, null, value);

    /// <summary>A failure.</summary>
    /// <param name="error">The error code.</param>
    /// <param name="message">Why.</param>
    /// <returns>The result.</returns>
    public static TableResult<T> Fail(ErrorCode error, string message) => new(error, message, null);
}
