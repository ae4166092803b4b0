using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pegasus.Client.Diagnostics;
using Pegasus.Client.Routing;
using Pegasus.Client.Transport;
using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>What every table of one <see cref="PegasusClient"/> shares: connections, meta access, telemetry.</summary>
internal sealed class ClientCore : IDisposable
{
    public ClientCore(PegasusClientOptions options, Func<string, ReplicaData.ReplicaDataClient>? replicaClientFactory = null)
    {
        Options = options;
        TimeProvider = options.TimeProvider;
        LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        Instruments = new ClientInstruments(options.MeterFactory);
        Pool = new ReplicaConnectionPool(options, options.LoggerFactory, replicaClientFactory);
        Meta = new MetaQueryClient(
            [.. options.MetaServers],
            address => GrpcChannelFactory.Create(address, options, options.LoggerFactory),
            TimeProvider,
            options,
            LoggerFactory.CreateLogger<MetaQueryClient>());
        OperationLogger = LoggerFactory.CreateLogger<PegasusTable>();
        RoutingLogger = LoggerFactory.CreateLogger<TableRouter>();
    }

    public PegasusClientOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ClientInstruments Instruments { get; }

    public ReplicaConnectionPool Pool { get; }

    public MetaQueryClient Meta { get; }

    /// <summary>Gets the numbering of this client's writes, shared by its tables (one session per client).</summary>
    public WriteSession Writes { get; } = new();

    public ILogger OperationLogger { get; }

    public ILogger RoutingLogger { get; }

    public void Dispose()
    {
        Pool.Dispose();
        Meta.Dispose();
        Instruments.Dispose();
    }
}
