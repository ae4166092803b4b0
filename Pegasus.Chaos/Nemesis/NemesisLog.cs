using Pegasus.Chaos.Workload;

namespace Pegasus.Chaos.Nemesis;

/// <summary>The nemesis's events, timed by the run's clock and echoed to the run's log. Thread-safe.</summary>
/// <param name="clock">The run's clock.</param>
/// <param name="log">Where each event is echoed (synchronized).</param>
public sealed class NemesisLog(HistoryClock clock, TextWriter log)
{
    private readonly List<NemesisEvent> _events = [];

    // Guards _events: fault tasks and primary watchers record concurrently.
    private readonly Lock _lock = new();

    /// <summary>Gets the events so far, in time order.</summary>
    public IReadOnlyList<NemesisEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events.OrderBy(e => e.Time)];
            }
        }
    }

    /// <summary>Records an event (at <paramref name="time"/>, or now).</summary>
    /// <param name="kind">What happened.</param>
    /// <param name="target">The server concerned.</param>
    /// <param name="detail">More, for people.</param>
    /// <param name="partitions">Partitions concerned.</param>
    /// <param name="address">The replica server's advertised address.</param>
    /// <param name="time">When it happened (the run's clock), if not now: a fault is timed by its signal, not by the wait that follows.</param>
    /// <returns>The event.</returns>
    public NemesisEvent Record(string kind, string? target, string? detail = null, IReadOnlyList<int>? partitions = null, string? address = null, long? time = null)
    {
        var entry = new NemesisEvent(time ?? clock.Now(), kind, target, detail, partitions, address);
        lock (_lock)
        {
            _events.Add(entry);
        }

        log.WriteLine($"[{HistoryClock.Format(entry.Time),9}] nemesis: {Describe(entry)}");
        return entry;
    }

    /// <summary>One line for people.</summary>
    /// <param name="entry">The event.</param>
    /// <returns>E.g. <c>kill replica-1 (...) primaries [0, 5]</c>.</returns>
    public static string Describe(NemesisEvent entry)
    {
        var text = entry.Kind;
        if (entry.Target is { } target)
        {
            text += " " + target;
        }

        if (entry.Partitions is { } partitions)
        {
            text += entry.Kind == "primary-change" ? $" partition {string.Join(", ", partitions)}" : $" primaries [{string.Join(", ", partitions)}]";
        }

        return entry.Detail is { } detail ? $"{text}: {detail}" : text;
    }
}
