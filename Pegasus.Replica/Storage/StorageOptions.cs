using Microsoft.Extensions.Options;

namespace Pegasus.Replica.Storage;

/// <summary>
/// Storage engine settings, bound from the configuration section <see cref="SectionName"/>.
/// Names and defaults follow Apache Pegasus's <c>[pegasus.server]</c> settings where one exists.
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Sync the RocksDB WAL on every write, so acknowledged writes survive power loss.</summary>
    /// <value>Default <c>false</c>: a process crash loses nothing, a machine crash may.</value>
    public bool Fsync { get; set; }

    /// <summary>
    /// Most records one range multi-get examines, and most it returns
    /// (Pegasus <c>rocksdb_multi_get_max_iteration_count</c>).
    /// </summary>
    /// <value>Default 3000.</value>
    public int MultiGetMaxIterationCount { get; set; } = 3000;

    /// <summary>
    /// Most bytes (sort keys + values) one range multi-get returns; 0 means no limit
    /// (Pegasus <c>rocksdb_multi_get_max_iteration_size</c>).
    /// </summary>
    /// <value>Default 30 MiB.</value>
    public long MultiGetMaxIterationSize { get; set; } = 30L << 20;

    /// <summary>
    /// Most records one scan batch examines, and the cap on a requested batch size
    /// (Pegasus <c>rocksdb_max_iteration_count</c>).
    /// </summary>
    /// <value>Default 1000.</value>
    public int MaxIterationCount { get; set; } = 1000;

    /// <summary>
    /// Most bytes (hash keys + sort keys + values) of one scan batch: the batch ends once it reaches this and
    /// the scan continues in the next batch through its context; a single larger record still goes, alone.
    /// Pegasus bounds scan batches by count only; with large records that could make one response of
    /// hundreds of megabytes, over the data stream's message limit (64 MiB, see <c>Grpc.DataStreamLimits</c>).
    /// </summary>
    /// <value>Default 4 MiB.</value>
    public long MaxScanBatchBytes { get; set; } = 4L << 20;

    /// <summary>Batch size of a scanner that asks for none (batch_size &lt;= 0); capped by <see cref="MaxIterationCount"/>.</summary>
    /// <value>Default 1000, Pegasus's effective default.</value>
    public int DefaultScanBatchSize { get; set; } = 1000;

    /// <summary>
    /// How long one range read (multi-get, sort-key count, scan batch) may iterate before it
    /// stops; <see cref="TimeSpan.Zero"/> disables the check
    /// (Pegasus <c>rocksdb_iteration_threshold_time_ms</c>).
    /// </summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan IterationThresholdTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an idle scan context lives before it is freed (Pegasus: 5 minutes).</summary>
    /// <value>Default 5 minutes.</value>
    public TimeSpan ScanContextTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Most open scan contexts per partition replica. Each pins a RocksDB iterator (memtables
    /// and files), so a client that never clears its scanners must not exhaust memory; past
    /// the limit the least recently used context is freed and its client restarts the batch.
    /// </summary>
    /// <value>Default 1024.</value>
    public int MaxScanContexts { get; set; } = 1024;
}

/// <summary>Reports every invalid <see cref="StorageOptions"/> value at once.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MultiGetMaxIterationCount <= 0)
        {
            errors.Add($"{StorageOptions.SectionName}:{nameof(options.MultiGetMaxIterationCount)} must be positive.");
        }

        if (options.MultiGetMaxIterationSize < 0)
        {
            errors.Add($"{StorageOptions.SectionName}:{nameof(options.MultiGetMaxIterationSize)} must not be negative (0 = no limit).");
        }

        if (options.MaxIterationCount <= 0)
        {
            errors.Add($"{StorageOptions.SectionName}:{nameof(options.MaxIterationCount)} must be positive.");
        }

        if (options.MaxScanBatchBytes <= 0)
        {
            errors.Add($"{StorageOptions.SectionName}:{nameof(options.MaxScanBatchBytes)} must be positive.");
        }

        if (options.DefaultScanBatchSize <= 0)
        {
            errors.Add($"{StorageOptions.SectionName}:{nameof(options.DefaultScanBatchSize)} must be positive.");
        }

        if (options.IterationThresholdTime < TimeSpan.Zero)
        {
            errors.Add($"{StorageOptions.SectionName}:{nameof(options.IterationThresholdTime)} must not be negative (0 = no limit).");
        }

        if (options.ScanContextTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{StorageOptions.SectionName}:{nameof(options.ScanContextTimeout)} must be positive.");
        }

        if (options.MaxScanContexts <= 0)
        {
            errors.Add($"{StorageOptions.SectionName}:{nameof(options.MaxScanContexts)} must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
