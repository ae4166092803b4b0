namespace Pegasus.Protocol.Time;

/// <summary>
/// Pegasus stores expire times as seconds since 2016-01-01T00:00:00Z; 0 means no TTL.
/// </summary>
public static class PegasusEpoch
{
    public static readonly DateTimeOffset Origin = new(2016, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Whole seconds since the Pegasus epoch at <paramref name="now"/>.</summary>
    public static uint SecondsSinceEpoch(DateTimeOffset now)
    {
        var seconds = (now - Origin).Ticks / TimeSpan.TicksPerSecond;
        return seconds <= 0 ? 0 : (uint)Math.Min(seconds, uint.MaxValue);
    }

    /// <summary>The expire time for a record written at <paramref name="now"/> with a TTL; 0 for no TTL.</summary>
    public static uint ExpireTimeFromTtl(DateTimeOffset now, int ttlSeconds)
        => ttlSeconds <= 0 ? 0 : (uint)Math.Min((ulong)SecondsSinceEpoch(now) + (ulong)ttlSeconds, uint.MaxValue);

    /// <summary>A record is expired once the clock reaches its expire time (Pegasus's check_if_ts_expired).</summary>
    public static bool IsExpired(uint expireTs, uint nowSecondsSinceEpoch)
        => expireTs > 0 && expireTs <= nowSecondsSinceEpoch;
}
