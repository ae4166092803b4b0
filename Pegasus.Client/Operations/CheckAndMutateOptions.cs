namespace Pegasus.Client;

/// <summary>Options of <see cref="PegasusTable.CheckAndMutateAsync"/>.</summary>
public sealed record CheckAndMutateOptions
{
    /// <summary>Gets a value indicating whether to return the checked record's value as it was before the operation.</summary>
    /// <value>Defaults to false.</value>
    public bool ReturnCheckValue { get; init; }
}
