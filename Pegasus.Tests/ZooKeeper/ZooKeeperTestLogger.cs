using Microsoft.Extensions.Logging;

namespace Pegasus.Tests.ZooKeeper;

/// <summary>Writes a component's log to the current xUnit test's output, so failures show the client's view.</summary>
public sealed class ZooKeeperTestLogger<T> : ILogger<T>
{
    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var output = TestContext.Current.TestOutputHelper;
        if (output is null)
        {
            return;
        }

        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{logLevel}] {typeof(T).Name}: {formatter(state, exception)}{(exception is null ? string.Empty : " | " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; background logging after that has nowhere to go.
        }
    }
}
