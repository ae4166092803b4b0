namespace Pegasus.Client;

/// <summary>Options of <see cref="PegasusTable.CheckAndSetAsync"/>.</summary>
public sealed record CheckAndSetOptions
{
    /// <summary>Gets the TTL of the value written when the check passes, in seconds.</summary>
    /// <value>Defaults to 0: no TTL.</value>
    public int SetValueTtlSeconds { get; init; }

    /// <summary>Gets a value indicating whether to return the checked record's value as it was before the operation.</summary>
    /// <value>Defaults to false.</value>
    public bool ReturnCheckValue { get; init; }
}
