using System.Collections.Concurrent;
using Pegasus.Client.Routing;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>
/// Entry point of the Pegasus client: opens tables (routing from the meta servers) and shares one long-lived
/// connection per replica server among them. Thread-safe; create one per application and dispose it at the end.
/// </summary>
public sealed class PegasusClient : IAsyncDisposable
{
    private readonly ClientCore _core;
    private readonly ConcurrentDictionary<string, PegasusTable> _tables = new(StringComparer.Ordinal);
    private readonly Lazy<PegasusAdminClient> _admin;
    private int _disposed;

    /// <summary>Creates a client; no connection is made until a table is opened.</summary>
    /// <param name="options">The settings; copied, so later changes do not affect this client.</param>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="PegasusClientOptions.Validate"/>).</exception>
    public PegasusClient(PegasusClientOptions options)
        : this(options, replicaClientFactory: null)
    {
    }

    /// <summary>Tests: replica servers are reached through <paramref name="replicaClientFactory"/> instead of gRPC channels.</summary>
    internal PegasusClient(PegasusClientOptions options, Func<string, ReplicaData.ReplicaDataClient>? replicaClientFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Options = options.Snapshot();
        _core = new ClientCore(Options, replicaClientFactory);
        _admin = new Lazy<PegasusAdminClient>(() => new PegasusAdminClient(Options), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the settings this client uses (a copy of those it was created with).</summary>
    public PegasusClientOptions Options { get; }

    /// <summary>
    /// Gets the admin client for the meta servers' HTTP API (<see cref="PegasusClientOptions.MetaAdminAddresses"/>),
    /// created on first use and disposed with this client.
    /// </summary>
    /// <exception cref="InvalidOperationException">No admin addresses are configured.</exception>
    public PegasusAdminClient Admin
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (Options.MetaAdminAddresses.Count == 0)
            {
                throw new InvalidOperationException("PegasusClientOptions.MetaAdminAddresses is empty: the admin API needs the meta servers' HTTP addresses.");
            }

            return _admin.Value;
        }
    }

    /// <summary>Opens a table within <see cref="PegasusClientOptions.DefaultTimeout"/>.</summary>
    /// <param name="tableName">The table's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The table, routed; the same instance for every call with the same name.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidParameters"/> for an empty or whitespace name (nothing is sent);
    /// <see cref="ErrorCode.AppNotExist"/> when the table does not exist; <see cref="ErrorCode.Timeout"/> when no
    /// meta server answered in time.
    /// </exception>
    public Task<PegasusTable> OpenTableAsync(string tableName, CancellationToken cancellationToken = default)
        => OpenTableAsync(tableName, Options.DefaultTimeout, cancellationToken);

    /// <summary>Opens a table: asks the meta servers for its routing (always, so a reopen sees a drop or a recreate).</summary>
    /// <param name="tableName">The table's name.</param>
    /// <param name="timeout">How long to keep trying the meta servers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The table, routed; the same instance for every call with the same name.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidParameters"/> for an empty or whitespace name (nothing is sent);
    /// <see cref="ErrorCode.AppNotExist"/> when the table does not exist; <see cref="ErrorCode.Timeout"/> when no
    /// meta server answered in time.
    /// </exception>
    public async Task<PegasusTable> OpenTableAsync(string tableName, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (string.IsNullOrWhiteSpace(tableName))
        {
            throw new PegasusException(ErrorCode.InvalidParameters, "the table name must not be empty or whitespace");
        }

        OperationScope.ValidateTimeout(timeout);
        using var deadline = new CancellationTokenSource(timeout, _core.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        PegasusException? lastFailure = null;
        TableRouting routing;
        try
        {
            routing = await _core.Meta.QueryAsync(tableName, failure => lastFailure = failure, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            var reason = lastFailure is null ? "" : $" (last failure: {lastFailure.Message})";
            throw new PegasusException(ErrorCode.Timeout, $"opening table '{tableName}' timed out after {timeout}{reason}", lastFailure ?? (Exception)ex);
        }

        if (_tables.TryGetValue(tableName, out var existing))
        {
            existing.Router.Update(routing);
            return existing;
        }

        var router = new TableRouter(
            tableName, routing, _core.Meta, _core.TimeProvider, Options.DefaultTimeout, _core.Instruments, _core.RoutingLogger);
        return _tables.GetOrAdd(tableName, new PegasusTable(_core, router));
    }

    /// <summary>Closes every connection; pending operations fail and later calls throw <see cref="ObjectDisposedException"/>.</summary>
    /// <returns>A task that completes when the connections are closed.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        _core.Dispose();
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Tests: a table routed by hand, without asking a meta server.</summary>
    internal PegasusTable CreateTableForTesting(TableRouting routing)
        => new(_core, new TableRouter(routing.TableName, routing, _core.Meta, _core.TimeProvider, Options.DefaultTimeout, _core.Instruments, _core.RoutingLogger));

    /// <summary>Tests: how many replica servers this client has connections to.</summary>
    internal int ReplicaConnectionCount => _core.Pool.Count;
}
