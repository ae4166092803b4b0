using System.Collections.Concurrent;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Pegasus.Protocol.Meta;
using Pegasus.Replica.Hosting;

namespace Pegasus.Replica.FailureDetection;

/// <summary>
/// One gRPC channel per meta server address, created on first use and reused for every beacon
/// (a channel owns its HTTP/2 connection; making one per call would reconnect every time).
/// </summary>
public sealed class MetaChannelPool(IOptions<ReplicaOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeSpan _connectTimeout = options.Value.BeaconTimeout;

    /// <summary>Gets a client for the meta server at <paramref name="address"/>.</summary>
    /// <param name="address">The meta server's gRPC address.</param>
    /// <returns>A client on the address's shared channel.</returns>
    public MetaService.MetaServiceClient GetClient(string address) =>
        new(_channels.GetOrAdd(NormalizeAddress(address), CreateChannel, _connectTimeout));

    /// <summary>Puts a meta address in the form the pool keys channels by.</summary>
    /// <param name="address">An address such as <c>http://127.0.0.1:35601/</c>.</param>
    /// <returns>The address without surrounding blanks or a trailing slash.</returns>
    public static string NormalizeAddress(string address) => address.Trim().TrimEnd('/');

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }

    private static GrpcChannel CreateChannel(string address, TimeSpan connectTimeout) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                // A dead meta must fail the beacon fast so the next one is tried within the interval.
                ConnectTimeout = connectTimeout,
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
        });
}
