using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pegasus.ZooKeeper.Session;
using Pegasus.ZooKeeper.Watches;

namespace Pegasus.ZooKeeper;

/// <summary>
/// An asynchronous, thread-safe ZooKeeper client speaking the jute protocol over TCP: one session,
/// resumed across the servers of the connection string after connection loss, with one-shot watches
/// and multi-operation transactions.
/// </summary>
/// <remarks>
/// <para>
/// Lifecycle: <see cref="ConnectAsync(CancellationToken)"/> opens the session; while the connection is
/// lost the state is <see cref="ZooKeeperConnectionState.Disconnected"/> and the client reconnects on
/// its own, keeping the session (its ephemeral nodes and watches) if a server still knows it. When the
/// servers expired it the state becomes <see cref="ZooKeeperConnectionState.Expired"/>, every call
/// fails with <see cref="SessionExpiredException"/>, and a new client is needed.
/// <see cref="CloseAsync"/> ends the session at once (its ephemeral nodes vanish).
/// </para>
/// <para>
/// Watches are one-shot: a watcher passed to <see cref="GetDataAsync"/>, <see cref="ExistsAsync"/> or
/// <see cref="GetChildrenAsync"/> is invoked exactly once — for the next change of the node, or with a
/// <see cref="WatchEventType.None"/> event when the session ends first. Watchers and
/// <see cref="StateChanged"/> handlers run one at a time, in order, on the client's dispatcher; they
/// must not block for long. Outstanding watches survive reconnects (they are re-registered).
/// </para>
/// </remarks>
public sealed partial class ZooKeeperClient : IAsyncDisposable
{
    private readonly ZooKeeperSession _session;
    private readonly WatchManager _watches = new();
    private readonly EventDispatcher _dispatcher;
    // Only read and written on the dispatcher, where state changes are raised.
    private ZooKeeperStateChange _lastDispatchedState = new(ZooKeeperConnectionState.Connecting, 0, null);

    /// <summary>Creates a client; call <see cref="ConnectAsync(CancellationToken)"/> before using it.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ZooKeeperClient(ZooKeeperClientOptions options, ILogger<ZooKeeperClient>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        ILogger log = logger ?? NullLogger<ZooKeeperClient>.Instance;
        _dispatcher = new EventDispatcher(log);
        _session = new ZooKeeperSession(
            options, Session.ConnectionString.Parse(options.ConnectionString), log, timeProvider ?? TimeProvider.System,
            _watches, _dispatcher, OnStateChanged);
    }

    /// <summary>Creates a client from dependency-injected options; call <see cref="ConnectAsync(CancellationToken)"/> before using it.</summary>
    [ActivatorUtilitiesConstructor]
    public ZooKeeperClient(IOptions<ZooKeeperClientOptions> options, ILogger<ZooKeeperClient> logger, TimeProvider timeProvider)
        : this(options?.Value!, logger, timeProvider)
    {
    }

    /// <summary>
    /// Raised on the dispatcher for every state change: <see cref="ZooKeeperConnectionState.Connected"/>
    /// (first connection and each reconnect), <see cref="ZooKeeperConnectionState.Disconnected"/>,
    /// <see cref="ZooKeeperConnectionState.Expired"/> and <see cref="ZooKeeperConnectionState.Closed"/>.
    /// </summary>
    public event EventHandler<ZooKeeperStateChange>? StateChanged;

    /// <summary>The current state.</summary>
    public ZooKeeperConnectionState State => _session.State;

    /// <summary>The session id (0 before the first connection).</summary>
    public long SessionId => _session.SessionId;

    /// <summary>The session timeout the server granted (zero before the first connection).</summary>
    public TimeSpan SessionTimeout => _session.NegotiatedTimeout;

    /// <summary>The server (<c>host:port</c>) the client is connected to, or null when not connected.</summary>
    public string? ConnectedServer => _session.ConnectedServer;

    /// <summary>The number of watches registered and not yet fired.</summary>
    public int OutstandingWatchCount => _watches.Count;

    /// <summary>Creates a client and waits until it has a session.</summary>
    /// <exception cref="ConnectionLossException">No server accepted a session within <see cref="ZooKeeperClientOptions.ConnectTimeout"/>.</exception>
    public static async Task<ZooKeeperClient> ConnectAsync(
        ZooKeeperClientOptions options,
        ILogger<ZooKeeperClient>? logger = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        var client = new ZooKeeperClient(options, logger, timeProvider);
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Opens the session, trying the servers in turn until one accepts or
    /// <see cref="ZooKeeperClientOptions.ConnectTimeout"/> passes (then the client is closed).
    /// </summary>
    /// <exception cref="ConnectionLossException">No server accepted a session in time.</exception>
    public Task ConnectAsync(CancellationToken cancellationToken = default) => _session.StartAsync(cancellationToken);

    /// <summary>
    /// Streams state changes, starting with the state as of the subscription, until
    /// <paramref name="cancellationToken"/> fires or the client is closed (the stream then ends after
    /// <see cref="ZooKeeperConnectionState.Closed"/>). The stream is consistent with
    /// <see cref="StateChanged"/>: no change is reported twice or out of order.
    /// </summary>
    public async IAsyncEnumerable<ZooKeeperStateChange> WatchStateAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Bounded with DropOldest: a consumer that falls behind still sees the latest (terminal) states.
        var channel = Channel.CreateBounded<ZooKeeperStateChange>(new BoundedChannelOptions(64)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        void Handler(object? sender, ZooKeeperStateChange change) => channel.Writer.TryWrite(change);

        // Subscribing on the dispatcher, where state changes are raised, makes "the state so far" and
        // "the changes after it" one consistent sequence.
        var subscribed = _dispatcher.Enqueue(() =>
        {
            channel.Writer.TryWrite(_lastDispatchedState);
            StateChanged += Handler;
        });
        if (!subscribed)
        {
            // The dispatcher is finished: the client is closed.
            yield return new ZooKeeperStateChange(State, SessionId, null);
            yield break;
        }

        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var change))
                {
                    yield return change;
                    if (change.State == ZooKeeperConnectionState.Closed)
                    {
                        yield break;
                    }
                }
            }
        }
        finally
        {
            StateChanged -= Handler;
        }
    }

    /// <summary>
    /// Ends the session on the server and stops the client. When connected, the server deletes the
    /// session's ephemeral nodes at once; otherwise the servers expire the session after its timeout.
    /// Operations still in flight fail with <see cref="ConnectionLossException"/>, later ones with
    /// <see cref="ObjectDisposedException"/>; outstanding watchers get a <see cref="WatchEventType.None"/>
    /// event with state <see cref="ZooKeeperConnectionState.Closed"/>. Idempotent.
    /// </summary>
    public Task CloseAsync() => _session.CloseAsync();

    private void OnStateChanged(ZooKeeperStateChange change)
    {
        _lastDispatchedState = change;
        StateChanged?.Invoke(this, change);
    }

    /// <inheritdoc cref="CloseAsync"/>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);
}
