namespace Pegasus.Client;

/// <summary>The outcome of <see cref="PegasusTable.CompareExchangeAsync"/>.</summary>
/// <param name="SetSucceed">True when the stored value equalled the expected one and was replaced.</param>
/// <param name="ActualValue">
/// When the exchange did not happen, the stored value that differed from the expected one; null when the record
/// does not exist, and always null when <paramref name="SetSucceed"/> is true (as in Pegasus's clients).
/// </param>
public sealed record CompareExchangeResult(bool SetSucceed, byte[]? ActualValue);
