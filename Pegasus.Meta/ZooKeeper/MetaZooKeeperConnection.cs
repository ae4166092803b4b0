using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.Options;
using Pegasus.ZooKeeper;

namespace Pegasus.Meta.ZooKeeper;

/// <summary>
/// The meta server's ZooKeeper session, shared by the state store and the leader election. A
/// <see cref="ZooKeeperClient"/> survives connection loss on its own (resuming its session) but is
/// finished once its session expired; this opens a new client (a new session) the next time one is
/// asked for, so callers never hold on to a dead one.
/// </summary>
public sealed partial class MetaZooKeeperConnection : IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _clientOptions;
    private readonly ILogger<ZooKeeperClient> _clientLogger;
    private readonly ILogger<MetaZooKeeperConnection> _logger;
    private readonly TimeProvider _timeProvider;

    // Serializes opening sessions: concurrent callers after an expiry must share one new session, not race to open several.
    private readonly SemaphoreSlim _connectGate = new(1, 1);

    // Cancels a connect in progress on dispose, so shutdown does not wait out the connect timeout.
    private readonly CancellationTokenSource _disposing = new();

    private volatile ZooKeeperClient? _client;
    private volatile bool _disposed;

    /// <summary>Creates the connection from the meta server's ZooKeeper options; nothing connects until a client is asked for.</summary>
    /// <param name="options">The ZooKeeper options.</param>
    /// <param name="clientLogger">The ZooKeeper client's logger.</param>
    /// <param name="logger">This connection's logger.</param>
    /// <param name="timeProvider">The clock of the client's timeouts.</param>
    public MetaZooKeeperConnection(
        IOptions<ZooKeeperCoordinationOptions> options,
        ILogger<ZooKeeperClient> clientLogger,
        ILogger<MetaZooKeeperConnection> logger,
        TimeProvider timeProvider)
        : this(options.Value.ToClientOptions(), clientLogger, logger, timeProvider)
    {
    }

    /// <summary>Creates the connection from client options (tests, tools).</summary>
    /// <param name="clientOptions">The ZooKeeper client options.</param>
    /// <param name="clientLogger">The ZooKeeper client's logger; none when null.</param>
    /// <param name="logger">This connection's logger; none when null.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public MetaZooKeeperConnection(
        ZooKeeperClientOptions clientOptions,
        ILogger<ZooKeeperClient>? clientLogger = null,
        ILogger<MetaZooKeeperConnection>? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        var errors = clientOptions.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(clientOptions));
        }

        _clientOptions = clientOptions;
        _clientLogger = clientLogger ?? NullLogger<ZooKeeperClient>.Instance;
        _logger = logger ?? NullLogger<MetaZooKeeperConnection>.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Raised (on the ZooKeeper client's event thread) for every state change of every session this
    /// connection opens; <see cref="ZooKeeperStateChange.SessionId"/> tells which session it is about.
    /// </summary>
    public event EventHandler<ZooKeeperStateChange>? StateChanged;

    /// <summary>Gets the state of the current session (<see cref="ZooKeeperConnectionState.Connecting"/> before the first one).</summary>
    public ZooKeeperConnectionState State => _client?.State ?? ZooKeeperConnectionState.Connecting;

    /// <summary>Gets the current client, or null before the first session was opened.</summary>
    public ZooKeeperClient? Current => _client;

    /// <summary>Gets the session timeout asked of ZooKeeper.</summary>
    public TimeSpan RequestedSessionTimeout => _clientOptions.SessionTimeout;

    /// <summary>
    /// Returns the current client — connected, or reconnecting while its session may still live — and
    /// opens a new session when there is none or the last one expired or was closed.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ConnectionLossException">No ZooKeeper server granted a session within the connect timeout.</exception>
    public async ValueTask<ZooKeeperClient> GetClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { } current && IsUsable(current))
        {
            return current;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        await _connectGate.WaitAsync(linked.Token);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // Another caller may have opened a session while this one waited.
            if (_client is { } existing)
            {
                if (IsUsable(existing))
                {
                    return existing;
                }

                _client = null;
                await existing.DisposeAsync();
            }

            var fresh = new ZooKeeperClient(_clientOptions, _clientLogger, _timeProvider);
            fresh.StateChanged += OnClientStateChanged;
            try
            {
                await fresh.ConnectAsync(linked.Token);
            }
            catch
            {
                fresh.StateChanged -= OnClientStateChanged;
                await fresh.DisposeAsync();
                throw;
            }

            _client = fresh;
            LogSessionOpened(_logger, fresh.SessionId, fresh.ConnectedServer, fresh.SessionTimeout);
            return fresh;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>Closes the current session (ZooKeeper drops its ephemeral nodes at once) and refuses new ones.</summary>
    /// <returns>A task that completes once closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _disposing.CancelAsync();
        await _connectGate.WaitAsync();
        try
        {
            if (_client is { } client)
            {
                _client = null;
                await client.DisposeAsync();
            }
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private static bool IsUsable(ZooKeeperClient client)
        => client.State is not (ZooKeeperConnectionState.Expired or ZooKeeperConnectionState.Closed);

    private void OnClientStateChanged(object? sender, ZooKeeperStateChange change)
    {
        if (change.State == ZooKeeperConnectionState.Expired)
        {
            LogSessionExpired(_logger, change.SessionId);
        }
        else
        {
            LogStateChanged(_logger, change.SessionId, change.State, change.Server);
        }

        StateChanged?.Invoke(this, change);
    }

    [LoggerMessage(EventId = (int)MetaEventIds.ZooKeeperSessionOpened, Level = LogLevel.Information,
        Message = "Opened ZooKeeper session 0x{SessionId:x} on {Server} (timeout {SessionTimeout})")]
    private static partial void LogSessionOpened(ILogger logger, long sessionId, string? server, TimeSpan sessionTimeout);

    [LoggerMessage(EventId = (int)MetaEventIds.ZooKeeperSessionExpired, Level = LogLevel.Warning,
        Message = "ZooKeeper session 0x{SessionId:x} expired; a new session will be opened")]
    private static partial void LogSessionExpired(ILogger logger, long sessionId);

    [LoggerMessage(EventId = (int)MetaEventIds.ZooKeeperStateChanged, Level = LogLevel.Information,
        Message = "ZooKeeper session 0x{SessionId:x} is {State} ({Server})")]
    private static partial void LogStateChanged(ILogger logger, long sessionId, ZooKeeperConnectionState state, string? server);
}
