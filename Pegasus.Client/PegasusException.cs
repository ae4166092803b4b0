using Pegasus.Protocol;

namespace Pegasus.Client;

/// <summary>A Pegasus operation failed; <see cref="Error"/> says how.</summary>
/// <remarks>
/// Validation failures (<see cref="ErrorCode.InvalidArgument"/>, <see cref="ErrorCode.InvalidParameters"/>) are
/// raised before anything is sent. A call whose deadline passes fails with <see cref="ErrorCode.Timeout"/>; a call
/// whose <see cref="CancellationToken"/> is cancelled throws <see cref="OperationCanceledException"/> instead.
/// A server that cannot be reached after the retries surfaces as <see cref="ErrorCode.Unknown"/> with the
/// transport error as <see cref="Exception.InnerException"/> and <see cref="IsTransient"/> set.
/// </remarks>
public class PegasusException : Exception
{
    /// <summary>Creates an exception for <paramref name="error"/>; transience follows from the error code.</summary>
    /// <param name="error">The Pegasus error code of the failure.</param>
    /// <param name="message">What failed, for people.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public PegasusException(ErrorCode error, string message, Exception? innerException = null)
        : this(error, message, IsTransientError(error), innerException)
    {
    }

    /// <summary>Creates an exception for <paramref name="error"/> with an explicit transience.</summary>
    /// <param name="error">The Pegasus error code of the failure.</param>
    /// <param name="message">What failed, for people.</param>
    /// <param name="isTransient">Whether the same call may succeed if retried later.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public PegasusException(ErrorCode error, string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        IsTransient = isTransient;
    }

    /// <summary>Gets the Pegasus error code of the failure.</summary>
    public ErrorCode Error { get; }

    /// <summary>
    /// Gets a value indicating whether retrying the same call later may succeed: a timeout, a lost connection,
    /// a busy server, or a partition that was moving. False for validation errors and definite answers such
    /// as <see cref="ErrorCode.AppNotExist"/>.
    /// </summary>
    public bool IsTransient { get; }

    /// <summary>Whether an error code describes a condition that may clear up by itself.</summary>
    /// <param name="error">A Pegasus error code.</param>
    /// <returns>True for timeouts, busy servers, routing changes and leader changes.</returns>
    public static bool IsTransientError(ErrorCode error) => error switch
    {
        ErrorCode.Timeout or ErrorCode.Busy or ErrorCode.ObjectNotFound or ErrorCode.InvalidState
            or ErrorCode.PartitionMismatch or ErrorCode.ForwardToOthers or ErrorCode.ServiceNotActive
            or ErrorCode.NotEnoughMembers or ErrorCode.StaleBallot => true,
        _ => false,
    };
}
