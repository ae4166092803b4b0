using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>How a <see cref="PegasusScanner"/> selects records and pages through them.</summary>
public sealed record ScanOptions
{
    /// <summary>Gets the options with every default.</summary>
    public static ScanOptions Default { get; } = new();

    /// <summary>Gets the most records the server returns per round trip.</summary>
    /// <value>
    /// Defaults to 100, as in Apache Pegasus's Java and C++ clients; must be positive. The replica server also caps
    /// a batch at 1000 records (<c>Storage:MaxIterationCount</c>) and ends it early once its keys and values pass
    /// 4 MiB (<c>Storage:MaxScanBatchBytes</c>), so large records come in smaller batches; the scanner continues
    /// either way.
    /// </value>
    public int BatchSize { get; init; } = 100;

    /// <summary>Gets a value indicating whether a hash scan includes its start sort key (full scans include everything).</summary>
    /// <value>Defaults to true.</value>
    public bool StartInclusive { get; init; } = true;

    /// <summary>Gets a value indicating whether a hash scan includes its stop sort key (ignored when the stop sort key is empty).</summary>
    /// <value>Defaults to false.</value>
    public bool StopInclusive { get; init; }

    /// <summary>Gets how hash keys are filtered by <see cref="HashKeyFilterPattern"/> (useful in full scans).</summary>
    /// <value>Defaults to <see cref="FilterType.NoFilter"/>.</value>
    public FilterType HashKeyFilterType { get; init; } = FilterType.NoFilter;

    /// <summary>Gets the pattern hash keys must match.</summary>
    /// <value>Defaults to null: none.</value>
    public byte[]? HashKeyFilterPattern { get; init; }

    /// <summary>Gets how sort keys are filtered by <see cref="SortKeyFilterPattern"/>.</summary>
    /// <value>Defaults to <see cref="FilterType.NoFilter"/>.</value>
    public FilterType SortKeyFilterType { get; init; } = FilterType.NoFilter;

    /// <summary>Gets the pattern sort keys must match.</summary>
    /// <value>Defaults to null: none.</value>
    public byte[]? SortKeyFilterPattern { get; init; }

    /// <summary>Gets a value indicating whether to return keys only (values are empty).</summary>
    /// <value>Defaults to false.</value>
    public bool NoValue { get; init; }

    /// <summary>Gets a value indicating whether records carry their expire time (<see cref="PegasusRecord.ExpireTimestampSeconds"/>).</summary>
    /// <value>Defaults to false.</value>
    public bool ReturnExpireTimestamp { get; init; }

    /// <summary>
    /// Gets a value indicating whether the server only counts the matching records and returns none of them: the
    /// scanner is then consumed with <see cref="PegasusScanner.CountAsync"/> (enumerating it throws).
    /// </summary>
    /// <value>Defaults to false.</value>
    public bool OnlyReturnCount { get; init; }

    /// <summary>Gets the timeout of each round trip (opening a scan or fetching a batch).</summary>
    /// <value>Defaults to null: <see cref="PegasusClientOptions.DefaultTimeout"/>.</value>
    public TimeSpan? Timeout { get; init; }
}
