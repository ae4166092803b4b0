using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pegasus.ZooKeeper.Session;

namespace Pegasus.ZooKeeper.Watches;

/// <summary>
/// Runs watch callbacks and state-change handlers one at a time, in the order the events arrived,
/// on a single background loop — so a slow handler delays later events but never reorders them.
/// </summary>
internal sealed class EventDispatcher
{
    // Unbounded: the queue holds at most one entry per registered watch plus a few state changes,
    // both bounded by what the application registered.
    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    [ThreadStatic]
    private static EventDispatcher? t_current;

    public EventDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Whether the calling code runs inside one of this dispatcher's callbacks.</summary>
    public bool IsDispatching => ReferenceEquals(t_current, this);

    /// <summary>Queues <paramref name="callback"/>; false (and ignored) once the dispatcher is completed.</summary>
    public bool Enqueue(Action callback) => _queue.Writer.TryWrite(callback);

    /// <summary>Stops accepting callbacks and waits until the queued ones ran (unless called from one of them).</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        // Awaiting our own loop from inside a callback would deadlock; the loop still drains.
        return IsDispatching ? Task.CompletedTask : _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var callback in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            t_current = this;
            try
            {
                callback();
            }
            catch (Exception ex)
            {
                // A faulty handler must not stop delivery to everyone else.
                Log.CallbackFailed(_logger, ex);
            }
            finally
            {
                t_current = null;
            }
        }
    }
}
