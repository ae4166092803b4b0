using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>
/// The replica server refused a <see cref="PegasusTable.CheckAndMutateAsync"/> (for example an integer comparison
/// against a stored value or operand that is not an int64). <see cref="Result"/> keeps the check value fields the
/// server filled, as Pegasus's clients do; nothing was written.
/// </summary>
public sealed class CheckAndMutateException : PegasusException
{
    /// <summary>Creates the exception from the server's answer.</summary>
    /// <param name="response">The server's response to the check-and-mutate.</param>
    /// <param name="message">What failed, for people.</param>
    public CheckAndMutateException(DataResponse response, string message)
        : base(response, message)
    {
        Result = CheckValues.ToCheckAndMutateResult(response.CheckAndMutate, succeeded: false);
    }

    /// <summary>
    /// Gets the outcome the server answered: <see cref="CheckAndMutateResult.MutateSucceed"/> false, and the checked
    /// value when <see cref="CheckAndMutateOptions.ReturnCheckValue"/> was asked for.
    /// </summary>
    public CheckAndMutateResult Result { get; }
}
