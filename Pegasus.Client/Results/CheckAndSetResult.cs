namespace Pegasus.Client;

/// <summary>The outcome of <see cref="PegasusTable.CheckAndSetAsync"/>.</summary>
/// <param name="SetSucceed">True when the check passed and the value was written.</param>
/// <param name="CheckValueReturned">True when <see cref="CheckAndSetOptions.ReturnCheckValue"/> was asked for.</param>
/// <param name="CheckValueExist">True when the checked record existed (only meaningful when returned).</param>
/// <param name="CheckValue">The checked record's value before the operation, when returned and existing.</param>
public sealed record CheckAndSetResult(bool SetSucceed, bool CheckValueReturned, bool CheckValueExist, byte[]? CheckValue);
