using Pegasus.Protocol;

namespace Pegasus.Client;

/// <summary>A Pegasus operation failed; <see cref="Error"/> says how.</summary>
public class PegasusException(ErrorCode error, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The Pegasus error code of the failure.</summary>
    public ErrorCode Error { get; } = error;
}
