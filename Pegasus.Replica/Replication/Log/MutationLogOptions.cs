namespace Pegasus.Replica.Replication.Log;

/// <summary>How a replica's mutation log writes, syncs and splits its segment files.</summary>
public sealed class MutationLogOptions
{
    /// <summary>When an append becomes durable.</summary>
    /// <value>Defaults to <see cref="LogFlushMode.Interval"/>.</value>
    public LogFlushMode FlushMode { get; set; } = LogFlushMode.Interval;

    /// <summary>How often the active segment is fsynced in <see cref="LogFlushMode.Interval"/> mode, when something was written since the last fsync.</summary>
    /// <value>Defaults to 100 milliseconds.</value>
    public TimeSpan FsyncInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The size past which the log starts a new segment file. A segment is only ever rolled
    /// between batches, so it can end up larger by one batch.
    /// </summary>
    /// <value>Defaults to 64 MiB.</value>
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Throws when an option is out of range, naming every bad one.</summary>
    internal void Validate()
    {
        List<string> errors = [];
        if (!Enum.IsDefined(FlushMode))
        {
            errors.Add($"{nameof(FlushMode)} {FlushMode} is not a flush mode");
        }

        if (FlushMode == LogFlushMode.Interval && FsyncInterval <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(FsyncInterval)} must be positive in {nameof(LogFlushMode.Interval)} mode, not {FsyncInterval}");
        }

        if (SegmentBytes <= 0)
        {
            errors.Add($"{nameof(SegmentBytes)} must be positive, not {SegmentBytes}");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid mutation log options: {string.Join("; ", errors)}.", "options");
        }
    }
}
