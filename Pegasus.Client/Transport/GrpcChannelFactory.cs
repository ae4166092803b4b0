using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Pegasus.Client.Transport;

/// <summary>Creates the client's long-lived gRPC channels (one per server address, never per call).</summary>
internal static class GrpcChannelFactory
{
    public static GrpcChannel Create(string address, PegasusClientOptions options, ILoggerFactory? loggerFactory)
    {
        var handler = new SocketsHttpHandler
        {
            // One HTTP/2 connection caps concurrent streams at the server's limit (100 by default);
            // more connections keep unary meta calls and the data stream from queueing behind it.
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            // The data stream is long-lived and may be idle between bursts: keep its connection.
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = options.ConnectTimeout,
        };

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            LoggerFactory = loggerFactory,
            MaxReceiveMessageSize = options.MaxReceiveMessageBytes,
            MaxSendMessageSize = null,
            // Callers distinguish their own cancellation from server errors by exception type.
            ThrowOperationCanceledOnCancellation = true,
        });
    }
}
