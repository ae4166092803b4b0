using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>How <see cref="PegasusTable.MultiGetAsync"/> and <see cref="PegasusTable.MultiGetRangeAsync"/> select and limit records.</summary>
public sealed record MultiGetOptions
{
    /// <summary>Gets the options with every default.</summary>
    public static MultiGetOptions Default { get; } = new();

    /// <summary>Gets a value indicating whether the range includes its start sort key (range reads only).</summary>
    /// <value>Defaults to true.</value>
    public bool StartInclusive { get; init; } = true;

    /// <summary>Gets a value indicating whether the range includes its stop sort key (range reads only).</summary>
    /// <value>Defaults to false.</value>
    public bool StopInclusive { get; init; }

    /// <summary>Gets how sort keys are filtered by <see cref="SortKeyFilterPattern"/> (range reads only).</summary>
    /// <value>Defaults to <see cref="FilterType.NoFilter"/>.</value>
    public FilterType SortKeyFilterType { get; init; } = FilterType.NoFilter;

    /// <summary>Gets the pattern sort keys must match (prefix, postfix or anywhere).</summary>
    /// <value>Defaults to null: none.</value>
    public byte[]? SortKeyFilterPattern { get; init; }

    /// <summary>Gets the most records to return; the result is then incomplete when more exist.</summary>
    /// <value>Defaults to 0: only the server's own limit.</value>
    public int MaxCount { get; init; }

    /// <summary>Gets the most bytes (keys plus values) to return; the result is then incomplete when more exist.</summary>
    /// <value>Defaults to 0: only the server's own limit.</value>
    public int MaxSize { get; init; }

    /// <summary>Gets a value indicating whether to return sort keys only (values are empty).</summary>
    /// <value>Defaults to false.</value>
    public bool NoValue { get; init; }

    /// <summary>
    /// Gets a value indicating whether to read the range from its end, so that <see cref="MaxCount"/> and
    /// <see cref="MaxSize"/> keep the last records; they are still returned in ascending sort-key order.
    /// </summary>
    /// <value>Defaults to false.</value>
    public bool Reverse { get; init; }
}
