using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>
/// The replica server refused an <see cref="PegasusTable.IncrAsync"/>: the stored value is not a decimal int64, or
/// the sum would overflow. <see cref="NewValue"/> is the value the server answered with, as in Pegasus's clients.
/// </summary>
public sealed class IncrException : PegasusException
{
    /// <summary>Creates the exception from the server's answer.</summary>
    /// <param name="response">The server's response to the incr.</param>
    /// <param name="message">What failed, for people.</param>
    public IncrException(DataResponse response, string message)
        : base(response, message)
    {
        NewValue = response.Incr?.NewValue ?? 0;
    }

    /// <summary>
    /// Gets the value the server answered: on overflow the stored value, unchanged (Pegasus answers the old value in
    /// <c>new_value</c>); 0 when the stored value is not an int64.
    /// </summary>
    public long NewValue { get; }
}
