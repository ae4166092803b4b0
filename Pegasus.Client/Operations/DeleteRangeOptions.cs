using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>Which sort keys <see cref="PegasusTable.DeleteRangeAsync"/> deletes (Java's <c>DelRangeOptions</c>).</summary>
public sealed record DeleteRangeOptions
{
    /// <summary>Gets the options with every default.</summary>
    public static DeleteRangeOptions Default { get; } = new();

    /// <summary>Gets a value indicating whether the range includes its start sort key.</summary>
    /// <value>Defaults to true.</value>
    public bool StartInclusive { get; init; } = true;

    /// <summary>Gets a value indicating whether the range includes its stop sort key (ignored when the stop sort key is empty).</summary>
    /// <value>Defaults to false.</value>
    public bool StopInclusive { get; init; }

    /// <summary>Gets how sort keys are filtered by <see cref="SortKeyFilterPattern"/>; only matching records are deleted.</summary>
    /// <value>Defaults to <see cref="FilterType.NoFilter"/>.</value>
    public FilterType SortKeyFilterType { get; init; } = FilterType.NoFilter;

    /// <summary>Gets the pattern sort keys must match to be deleted.</summary>
    /// <value>Defaults to null: none.</value>
    public byte[]? SortKeyFilterPattern { get; init; }
}
