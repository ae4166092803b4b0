using System.Collections.Concurrent;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pegasus.Protocol.Data;

namespace Pegasus.Client.Transport;

/// <summary>One <see cref="GrpcChannel"/> and one <see cref="ReplicaConnection"/> per replica server address.</summary>
/// <param name="options">The client's settings.</param>
/// <param name="loggerFactory">The client's logger factory, if any.</param>
/// <param name="clientFactory">Tests: makes the data client for an address instead of a gRPC channel.</param>
internal sealed class ReplicaConnectionPool(
    PegasusClientOptions options,
    ILoggerFactory? loggerFactory,
    Func<string, ReplicaData.ReplicaDataClient>? clientFactory = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Entry>> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ReplicaConnection>();
    private volatile bool _disposed;

    /// <summary>How many replica servers the client has connections to.</summary>
    public int Count => _entries.Count;

    public ReplicaConnection Get(string address)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Lazy: GetOrAdd may run its factory twice under a race; a channel must be created once.
        return _entries.GetOrAdd(address, static (key, pool) => new Lazy<Entry>(() => pool.CreateEntry(key)), this).Value.Connection;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var entry in _entries.Values)
        {
            if (entry.IsValueCreated)
            {
                entry.Value.Connection.Dispose();
                entry.Value.Channel?.Dispose();
            }
        }

        _entries.Clear();
    }

    private Entry CreateEntry(string address)
    {
        var channel = clientFactory is null ? GrpcChannelFactory.Create(address, options, loggerFactory) : null;
        var client = channel is null ? clientFactory!(address) : new ReplicaData.ReplicaDataClient(channel);
        var connection = new ReplicaConnection(address, client, options.MaxPendingRequestsPerServer, options.MaxBatchBytes, _logger);
        return new Entry(channel, connection);
    }

    private sealed record Entry(GrpcChannel? Channel, ReplicaConnection Connection);
}
