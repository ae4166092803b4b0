namespace Pegasus.Client;

/// <summary>One key of a <see cref="PegasusTable.BatchGetAsync"/>, with its value when found.</summary>
/// <param name="HashKey">The hash key asked for.</param>
/// <param name="SortKey">The sort key asked for.</param>
/// <param name="Value">The value, or null when the record does not exist (or expired).</param>
public sealed record BatchGetItem(byte[] HashKey, byte[] SortKey, byte[]? Value)
{
    /// <summary>Gets a value indicating whether the record exists.</summary>
    public bool Found => Value is not null;
}
