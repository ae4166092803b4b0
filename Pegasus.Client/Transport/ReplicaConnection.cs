using Microsoft.Extensions.Logging;
using Pegasus.Protocol.Data;

namespace Pegasus.Client.Transport;

/// <summary>
/// The client's data path to one replica server: one long-lived <see cref="ExchangeSession"/> at a time,
/// reopened lazily on the next request after it breaks, with a bound on requests awaiting responses.
/// </summary>
internal sealed class ReplicaConnection : IDisposable
{
    private readonly ReplicaData.ReplicaDataClient _client;
    private readonly int _maxBatchBytes;
    private readonly int _maxRequestBytes;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _sessionLock = new();
    private ExchangeSession? _session;
    private long _nextId;
    private bool _disposed;

    /// <param name="address">The replica server's address.</param>
    /// <param name="client">The data client of the server's channel.</param>
    /// <param name="maxPendingRequests">How many requests may await responses at once.</param>
    /// <param name="maxBatchBytes">The largest batch of several requests in one message.</param>
    /// <param name="logger">The transport's logger.</param>
    /// <param name="maxRequestBytes">The largest single request sent; larger ones fail without being sent.</param>
    public ReplicaConnection(
        string address, ReplicaData.ReplicaDataClient client, int maxPendingRequests, int maxBatchBytes, ILogger logger,
        int maxRequestBytes = DataStreamLimits.MaxRequestBytes)
    {
        Address = address;
        _client = client;
        _maxBatchBytes = maxBatchBytes;
        _maxRequestBytes = maxRequestBytes;
        _logger = logger;
        _slots = new SemaphoreSlim(maxPendingRequests, maxPendingRequests);
    }

    public string Address { get; }

    /// <summary>Requests sent on the current stream and not yet answered.</summary>
    public int PendingCount => Volatile.Read(ref _session)?.PendingCount ?? 0;

    /// <summary>
    /// Sends <paramref name="request"/> (its <see cref="DataRequest.Id"/> is assigned here) and awaits its
    /// response. Throws <see cref="ReplicaConnectionException"/> when the stream breaks first and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    /// <exception cref="PegasusException"><see cref="Protocol.ErrorCode.InvalidArgument"/>: the request is too large to send.</exception>
    public async Task<DataResponse> SendAsync(DataRequest request, CancellationToken cancellationToken)
    {
        // Assigned first so the size below is exactly what goes on the stream (the session frames batches with it).
        request.Id = (ulong)Interlocked.Increment(ref _nextId);

        // A message over the server's receive limit would fail the stream and every request in flight on it;
        // callers check sizes before (Validation.RequestSize), this keeps the stream safe regardless.
        var size = request.CalculateSize();
        if (size > _maxRequestBytes)
        {
            throw new PegasusException(
                Protocol.ErrorCode.InvalidArgument, $"the request is {size} bytes, over the {_maxRequestBytes}-byte limit of one data stream message to {Address}");
        }

        // Back-pressure: a server that stops answering must not let pending requests grow without bound.
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = GetOrOpenSession();
            var response = session.Enqueue(request, size);
            try
            {
                return await response.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                session.Abandon(request.Id);
                throw;
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose()
    {
        ExchangeSession? session;
        lock (_sessionLock)
        {
            _disposed = true;
            session = _session;
            _session = null;
        }

        session?.Close(new ReplicaConnectionException(Address, "the Pegasus client was disposed"), expected: true);
    }

    private ExchangeSession GetOrOpenSession()
    {
        var session = Volatile.Read(ref _session);
        if (session is { IsClosed: false })
        {
            return session;
        }

        // Serialized so that concurrent callers after a break share one new stream instead of racing to open many.
        lock (_sessionLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is null || _session.IsClosed)
            {
                try
                {
                    _session = ExchangeSession.Open(Address, _client, _maxBatchBytes, _logger);
                }
                catch (Exception ex) when (ex is not ObjectDisposedException)
                {
                    throw new ReplicaConnectionException(Address, $"cannot open a data stream to {Address}: {ex.Message}", ex);
                }
            }

            return _session;
        }
    }
}
