using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>
/// The replica server refused a <see cref="PegasusTable.CheckAndSetAsync"/> (for example an integer comparison
/// against a stored value or operand that is not an int64). <see cref="Result"/> keeps the check value fields the
/// server filled, as Pegasus's clients do; nothing was written.
/// </summary>
public sealed class CheckAndSetException : PegasusException
{
    /// <summary>Creates the exception from the server's answer.</summary>
    /// <param name="response">The server's response to the check-and-set.</param>
    /// <param name="message">What failed, for people.</param>
    public CheckAndSetException(DataResponse response, string message)
        : base(response, message)
    {
        Result = CheckValues.ToCheckAndSetResult(response.CheckAndSet, succeeded: false);
    }

    /// <summary>
    /// Gets the outcome the server answered: <see cref="CheckAndSetResult.SetSucceed"/> false, and the checked value
    /// when <see cref="CheckAndSetOptions.ReturnCheckValue"/> was asked for.
    /// </summary>
    public CheckAndSetResult Result { get; }
}
