using System.Text;
using System.Threading.Channels;
using Pegasus.ZooKeeper;

namespace Pegasus.Tests.ZooKeeper;

/// <summary>Shared helpers of the ZooKeeper client tests.</summary>
internal static class ZooKeeperTestHelpers
{
    /// <summary>The bound on every wait for an event in these tests.</summary>
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    public static CancellationToken TestToken => TestContext.Current.CancellationToken;

    public static Task<ZooKeeperClient> ConnectAsync(string connectionString, TimeSpan? sessionTimeout = null, int maxPendingRequests = 1000) =>
        ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions
            {
                ConnectionString = connectionString,
                SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(10),
                ConnectTimeout = TimeSpan.FromSeconds(20),
                MaxPendingRequests = maxPendingRequests,
            },
            new ZooKeeperTestLogger<ZooKeeperClient>(),
            cancellationToken: TestToken);

    /// <summary>A fresh persistent node for one test, so tests sharing a server never collide.</summary>
    public static async Task<string> CreateTestRootAsync(ZooKeeperClient client)
    {
        var path = $"/test-{Guid.NewGuid():N}";
        await client.CreateAsync(path, Bytes("root"), CreateMode.Persistent, TestToken);
        return path;
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlyMemory<byte> data) => Encoding.UTF8.GetString(data.Span);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(EventTimeout, TestToken);

    public static Task Bounded(this Task task) => task.WaitAsync(EventTimeout, TestToken);

    /// <summary>A watcher that records every call and completes a task on the first.</summary>
    public static (Action<WatchedEvent> Watcher, List<WatchedEvent> Calls, Task<WatchedEvent> First) Recorder()
    {
        var calls = new List<WatchedEvent>();
        var first = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Watcher(WatchedEvent e)
        {
            lock (calls)
            {
                calls.Add(e);
            }

            first.TrySetResult(e);
        }

        return (Watcher, calls, first.Task);
    }

    /// <summary>
    /// Waits until every watch event the server sent before now has been dispatched: watch events are
    /// delivered in order on one dispatcher, so when a fresh watch on a new node fires, any earlier
    /// (for example duplicate) deliveries already happened.
    /// </summary>
    public static async Task DrainEventsAsync(ZooKeeperClient client, string parent)
    {
        var barrier = $"{parent}/barrier-{Guid.NewGuid():N}";
        var (watcher, _, fired) = Recorder();
        Assert.Null(await client.ExistsAsync(barrier, watcher, TestToken));
        await client.CreateAsync(barrier, Bytes("b"), CreateMode.Persistent, TestToken);
        Assert.Equal(WatchEventType.NodeCreated, (await fired.Bounded()).Type);
    }
}

/// <summary>Records a client's state changes and waits for particular ones.</summary>
internal sealed class StateRecorder : IDisposable
{
    private readonly ZooKeeperClient _client;
    private readonly Channel<ZooKeeperStateChange> _changes = Channel.CreateUnbounded<ZooKeeperStateChange>();
    private readonly List<ZooKeeperStateChange> _seen = [];

    public StateRecorder(ZooKeeperClient client)
    {
        _client = client;
        _client.StateChanged += OnChanged;
    }

    public IReadOnlyList<ZooKeeperStateChange> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Waits (bounded) for the next change to <paramref name="state"/>, skipping others.</summary>
    public async Task<ZooKeeperStateChange> WaitForAsync(ZooKeeperConnectionState state, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ZooKeeperTestHelpers.TestToken);
        cts.CancelAfter(timeout ?? ZooKeeperTestHelpers.EventTimeout);
        try
        {
            while (true)
            {
                var change = await _changes.Reader.ReadAsync(cts.Token);
                if (change.State == state)
                {
                    return change;
                }
            }
        }
        catch (OperationCanceledException) when (!ZooKeeperTestHelpers.TestToken.IsCancellationRequested)
        {
            throw new TimeoutException($"State {state} not reached; seen: {string.Join(", ", Seen.Select(s => s.State))}.");
        }
    }

    public void Dispose() => _client.StateChanged -= OnChanged;

    private void OnChanged(object? sender, ZooKeeperStateChange change)
    {
        lock (_seen)
        {
            _seen.Add(change);
        }

        _changes.Writer.TryWrite(change);
    }
}
