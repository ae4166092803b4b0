using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Pegasus.Client.Diagnostics;
using Pegasus.Protocol;
using Pegasus.Protocol.Meta;

namespace Pegasus.Client.Routing;

/// <summary>
/// Asks meta servers for routing tables over gRPC: the last known leader first, then every configured meta,
/// following a standby's <see cref="ErrorCode.ForwardToOthers"/> to the leader it names.
/// </summary>
internal sealed class MetaQueryClient(
    IReadOnlyList<string> metaServers,
    Func<string, GrpcChannel> createChannel,
    TimeProvider timeProvider,
    PegasusClientOptions options,
    ILogger logger) : IDisposable
{
    // A leader named by a standby may not be in the configured list; its channel is created on demand.
    private readonly ConcurrentDictionary<string, Lazy<(GrpcChannel Channel, MetaService.MetaServiceClient Client)>> _channels =
        new(StringComparer.OrdinalIgnoreCase);

    // Leader redirects followed per round; the replica's beacon loop uses the same bound.
    private const int MaxRedirects = 3;

    private volatile string? _leader;

    /// <summary>
    /// Queries every meta server once (plus leader redirects). Throws <see cref="PegasusException"/>
    /// with <see cref="ErrorCode.AppNotExist"/> or <see cref="ErrorCode.InvalidParameters"/> on a definite
    /// answer, or with the last transient failure when no meta server answered.
    /// </summary>
    public async Task<TableRouting> QueryOnceAsync(string tableName, CancellationToken cancellationToken)
    {
        var tried = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var candidates = new Queue<string>();
        if (_leader is { } leader)
        {
            candidates.Enqueue(leader);
        }

        foreach (var address in metaServers)
        {
            candidates.Enqueue(address);
        }

        PegasusException? lastFailure = null;
        var redirects = 0;
        while (candidates.TryDequeue(out var address))
        {
            if (!tried.Add(address))
            {
                continue;
            }

            QueryConfigResponse response;
            try
            {
                response = await GetClient(address).QueryConfigAsync(new QueryConfigRequest { TableName = tableName }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogDebugMetaQueryFailed(address, tableName, ex.Status.ToString());
                lastFailure = new PegasusException(ErrorCode.Unknown, $"meta server {address} is unreachable: {ex.Status.Detail}", isTransient: true, ex);
                continue;
            }

            switch (response.Error)
            {
                case ErrorCode.Ok:
                    _leader = address;
                    return TableRouting.FromResponse(tableName, response);
                case ErrorCode.AppNotExist:
                case ErrorCode.InvalidParameters:
                    _leader = address;
                    throw new PegasusException(response.Error, $"table '{tableName}': {Describe(response)}");
                // Bounded: two standbys with stale views can name each other for a moment (the
                // "tried" set cannot stop that, since each redirect makes its target eligible again).
                case ErrorCode.ForwardToOthers when !string.IsNullOrWhiteSpace(response.LeaderAddress) && redirects++ < MaxRedirects:
                    // Dequeued next, even if it was tried as a stale leader before: it is now the named leader.
                    tried.Remove(response.LeaderAddress);
                    var rest = candidates.ToArray();
                    candidates.Clear();
                    candidates.Enqueue(response.LeaderAddress);
                    foreach (var other in rest)
                    {
                        candidates.Enqueue(other);
                    }

                    logger.LogDebugMetaQueryFailed(address, tableName, $"forwarded to {response.LeaderAddress}");
                    lastFailure = new PegasusException(response.Error, $"meta server {address} forwarded to {response.LeaderAddress}");
                    break;
                default:
                    logger.LogDebugMetaQueryFailed(address, tableName, Describe(response));
                    lastFailure = new PegasusException(response.Error, $"meta server {address}: {Describe(response)}", isTransient: true);
                    break;
            }

            if (tried.Count > metaServers.Count + 4)
            {
                // Standbys naming each other (an election in progress): stop this round; the caller backs off.
                break;
            }
        }

        throw lastFailure ?? new PegasusException(ErrorCode.Unknown, "no meta server is configured", isTransient: false);
    }

    /// <summary>Queries rounds of meta servers with backoff until one answers definitely or the token fires.</summary>
    public async Task<TableRouting> QueryAsync(string tableName, Action<PegasusException>? onTransientFailure, CancellationToken cancellationToken)
    {
        var backoff = options.RetryInitialBackoff;
        while (true)
        {
            try
            {
                return await QueryOnceAsync(tableName, cancellationToken).ConfigureAwait(false);
            }
            catch (PegasusException ex) when (ex.IsTransient)
            {
                onTransientFailure?.Invoke(ex);
                await Task.Delay(backoff, timeProvider, cancellationToken).ConfigureAwait(false);
                backoff = options.NextRetryBackoff(backoff);
            }
        }
    }

    public void Dispose()
    {
        foreach (var entry in _channels.Values)
        {
            if (entry.IsValueCreated)
            {
                entry.Value.Channel.Dispose();
            }
        }

        _channels.Clear();
    }

    private static string Describe(QueryConfigResponse response)
        => string.IsNullOrEmpty(response.ErrorMessage) ? response.Error.ToString() : $"{response.Error}: {response.ErrorMessage}";

    private MetaService.MetaServiceClient GetClient(string address)
        => _channels.GetOrAdd(
            address,
            static (key, factory) => new Lazy<(GrpcChannel, MetaService.MetaServiceClient)>(() =>
            {
                var channel = factory(key);
                return (channel, new MetaService.MetaServiceClient(channel));
            }),
            createChannel).Value.Client;
}
