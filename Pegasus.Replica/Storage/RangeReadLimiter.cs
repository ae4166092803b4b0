namespace Pegasus.Replica.Storage;

/// <summary>
/// Pegasus's <c>range_read_limiter</c>: bounds one range read by records examined, bytes
/// returned and elapsed time, so a huge or mostly-expired range cannot stall a reader thread.
/// The clock is read about ten times per read, not per record.
/// </summary>
internal sealed class RangeReadLimiter
{
    private readonly long _maxCount;
    private readonly long _maxSize;
    private readonly TimeSpan _maxDuration;
    private readonly long _checkEvery;
    private readonly TimeProvider _timeProvider;
    private readonly long _startTimestamp;
    private long _size;

    public RangeReadLimiter(long maxCount, long maxSize, TimeSpan maxDuration, TimeProvider timeProvider)
    {
        _maxCount = maxCount;
        _maxSize = maxSize;
        _maxDuration = maxDuration;
        _checkEvery = maxCount <= 10 ? 1 : maxCount / 10;
        _timeProvider = timeProvider;
        _startTimestamp = timeProvider.GetTimestamp();
    }

    public long IterationCount { get; private set; }

    /// <summary>Set once the time threshold was exceeded.</summary>
    public bool ExceededTime { get; private set; }

    /// <summary>Whether another record may be examined.</summary>
    public bool Valid()
    {
        if (IterationCount >= _maxCount)
        {
            return false;
        }

        if (_maxSize > 0 && _size >= _maxSize)
        {
            return false;
        }

        return TimeCheck();
    }

    /// <summary>The time part of <see cref="Valid"/> alone (sort-key count has no count limit).</summary>
    public bool TimeCheck()
    {
        if (_maxDuration > TimeSpan.Zero && (IterationCount + 1) % _checkEvery == 0 && Elapsed() > _maxDuration)
        {
            ExceededTime = true;
            return false;
        }

        return true;
    }

    /// <summary>A read that stopped early for another reason still reports a slow read.</summary>
    public void TimeCheckAfterIncompleteScan()
    {
        if (_maxDuration > TimeSpan.Zero && Elapsed() > _maxDuration)
        {
            ExceededTime = true;
        }
    }

    public void AddCount() => IterationCount++;

    public void AddSize(long size) => _size += size;

    private TimeSpan Elapsed() => _timeProvider.GetElapsedTime(_startTimestamp);
}
