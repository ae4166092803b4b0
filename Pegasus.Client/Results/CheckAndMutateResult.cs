namespace Pegasus.Client;

/// <summary>The outcome of <see cref="PegasusTable.CheckAndMutateAsync"/>.</summary>
/// <param name="MutateSucceed">True when the check passed and every mutation was applied.</param>
/// <param name="CheckValueReturned">True when <see cref="CheckAndMutateOptions.ReturnCheckValue"/> was asked for.</param>
/// <param name="CheckValueExist">True when the checked record existed (only meaningful when returned).</param>
/// <param name="CheckValue">The checked record's value before the operation, when returned and existing.</param>
public sealed record CheckAndMutateResult(bool MutateSucceed, bool CheckValueReturned, bool CheckValueExist, byte[]? CheckValue);
