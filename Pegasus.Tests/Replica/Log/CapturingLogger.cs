using Microsoft.Extensions.Logging;

namespace Pegasus.Tests.Replica.Log;

/// <summary>One log message as <see cref="CapturingLogger"/> saw it, with its structured values.</summary>
internal sealed record CapturedLog(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Values);

/// <summary>A logger that keeps every message, so tests can check what was reported and with which values.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<CapturedLog> _entries = [];

    public IReadOnlyList<CapturedLog> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IReadOnlyList<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(pair => pair.Key, pair => pair.Value)
            : [];
        lock (_gate)
        {
            // Timer callbacks may log while a test reads.
            _entries.Add(new CapturedLog(logLevel, eventId, formatter(state, exception), values));
        }
    }
}
