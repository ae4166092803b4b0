using Pegasus.Protocol;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>Writes a record.</summary>
    /// <param name="hashKey">The hash key (may be empty: the sort key then picks the partition).</param>
    /// <param name="sortKey">The sort key.</param>
    /// <param name="value">The value.</param>
    /// <param name="ttlSeconds">The record's TTL in seconds; 0 for none.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes once the write is committed.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for a too long hash key, <see cref="ErrorCode.InvalidArgument"/> for a negative TTL.</exception>
    public async Task SetAsync(byte[] hashKey, byte[] sortKey, byte[] value, int ttlSeconds = 0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.HashKey(hashKey, "Set");
        ArgumentNullException.ThrowIfNull(sortKey);
        ArgumentNullException.ThrowIfNull(value);
        Validation.Ttl(ttlSeconds, "Set");
        var request = Requests.Set(hashKey, sortKey, value, ttlSeconds, _core.TimeProvider.GetUtcNow());
        await RunAsync("Set", Requests.KeyHash(hashKey, sortKey), request, static response => response.Error switch
        {
            ErrorCode.Ok => true,
            _ => throw UnexpectedError("Set", response),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a record's value.</summary>
    /// <param name="hashKey">The hash key.</param>
    /// <param name="sortKey">The sort key.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or null when the record does not exist or has expired.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for a too long hash key.</exception>
    public async Task<byte[]?> GetAsync(byte[] hashKey, byte[] sortKey, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.HashKey(hashKey, "Get");
        ArgumentNullException.ThrowIfNull(sortKey);
        return await RunAsync("Get", Requests.KeyHash(hashKey, sortKey), Requests.Get(hashKey, sortKey), static response => response.Error switch
        {
            ErrorCode.Ok => response.Get?.Value.ToByteArray() ?? [],
            ErrorCode.NotFound => null,
            _ => throw UnexpectedError("Get", response),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a record; deleting a record that does not exist succeeds.</summary>
    /// <param name="hashKey">The hash key.</param>
    /// <param name="sortKey">The sort key.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes once the delete is committed.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for a too long hash key.</exception>
    public async Task DeleteAsync(byte[] hashKey, byte[] sortKey, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.HashKey(hashKey, "Delete");
        ArgumentNullException.ThrowIfNull(sortKey);
        await RunAsync("Delete", Requests.KeyHash(hashKey, sortKey), Requests.Delete(hashKey, sortKey), static response => response.Error switch
        {
            ErrorCode.Ok or ErrorCode.NotFound => true,
            _ => throw UnexpectedError("Delete", response),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tells whether a record exists (and has not expired).</summary>
    /// <param name="hashKey">The hash key.</param>
    /// <param name="sortKey">The sort key.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the record exists.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for a too long hash key.</exception>
    public async Task<bool> ExistAsync(byte[] hashKey, byte[] sortKey, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.HashKey(hashKey, "Exist");
        ArgumentNullException.ThrowIfNull(sortKey);
        return await RunAsync("Exist", Requests.KeyHash(hashKey, sortKey), Requests.Exist(hashKey, sortKey), static response => response.Error switch
        {
            ErrorCode.Ok => response.Exist?.Exists ?? true,
            ErrorCode.NotFound => false,
            _ => throw UnexpectedError("Exist", response),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a record's remaining time to live.</summary>
    /// <param name="hashKey">The hash key.</param>
    /// <param name="sortKey">The sort key.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The remaining seconds; -1 when the record has no TTL; null when it does not exist or has expired.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for a too long hash key.</exception>
    public async Task<int?> TtlAsync(byte[] hashKey, byte[] sortKey, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.HashKey(hashKey, "Ttl");
        ArgumentNullException.ThrowIfNull(sortKey);
        return await RunAsync("Ttl", Requests.KeyHash(hashKey, sortKey), Requests.Ttl(hashKey, sortKey), static response => response.Error switch
        {
            ErrorCode.Ok => response.Ttl?.TtlSeconds ?? -1,
            ErrorCode.NotFound => (int?)null,
            _ => throw UnexpectedError("Ttl", response),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Atomically adds <paramref name="increment"/> to a record holding a decimal int64 (absent counts as 0).</summary>
    /// <param name="hashKey">The hash key.</param>
    /// <param name="sortKey">The sort key.</param>
    /// <param name="increment">The amount to add (may be negative or 0).</param>
    /// <param name="ttlSeconds">0 keeps the record's TTL, a positive value sets a new TTL, -1 removes the TTL.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidHashKey"/> for a too long hash key, <see cref="ErrorCode.InvalidArgument"/> for a TTL
    /// below -1.
    /// </exception>
    /// <exception cref="IncrException">
    /// <see cref="ErrorCode.InvalidArgument"/> from the server: the stored value is not an int64, or the sum overflows
    /// (<see cref="IncrException.NewValue"/> is then the stored value).
    /// </exception>
    public async Task<long> IncrAsync(byte[] hashKey, byte[] sortKey, long increment, int ttlSeconds = 0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.HashKey(hashKey, "Incr");
        ArgumentNullException.ThrowIfNull(sortKey);
        if (ttlSeconds < -1)
        {
            throw new PegasusException(ErrorCode.InvalidArgument, $"Incr: ttl seconds must be >= -1 (-1 clears, 0 keeps), not {ttlSeconds}");
        }

        var request = Requests.Incr(hashKey, sortKey, increment, ttlSeconds, _core.TimeProvider.GetUtcNow());
        return await RunAsync("Incr", Requests.KeyHash(hashKey, sortKey), request, static response => response.Error switch
        {
            ErrorCode.Ok => response.Incr?.NewValue ?? 0,
            _ => throw new IncrException(response, ErrorMessage("Incr", response)),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }
}
