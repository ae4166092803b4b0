using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>A Pegasus operation failed; <see cref="Error"/> says how.</summary>
/// <remarks>
/// Validation failures (<see cref="ErrorCode.InvalidArgument"/>, <see cref="ErrorCode.InvalidParameters"/>) are
/// raised before anything is sent. A call whose deadline passes fails with <see cref="ErrorCode.Timeout"/>; a call
/// whose <see cref="CancellationToken"/> is cancelled throws <see cref="OperationCanceledException"/> instead.
/// A server that cannot be reached after the retries surfaces as <see cref="ErrorCode.Unknown"/> with the
/// transport error as <see cref="Exception.InnerException"/> and <see cref="IsTransient"/> set.
/// When a replica server refused the operation, <see cref="Response"/> is its whole typed answer; the operations
/// whose refusals carry results throw the subclasses <see cref="IncrException"/>, <see cref="CheckAndSetException"/>
/// and <see cref="CheckAndMutateException"/>, which expose them.
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

    /// <summary>Creates an exception for a replica server's refusal, keeping its answer.</summary>
    /// <param name="response">The server's response; its error code is the exception's.</param>
    /// <param name="message">What failed, for people.</param>
    public PegasusException(DataResponse response, string message)
        : this(CheckedResponse(response).Error, message)
    {
        Response = response;
    }

    /// <summary>
    /// Gets the replica server's typed response when the failure is its answer (the error code, its message, and
    /// the operation's result fields it filled); null when the failure happened in the client or on the way.
    /// </summary>
    public DataResponse? Response { get; }

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

    private static DataResponse CheckedResponse(DataResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response;
    }
}
