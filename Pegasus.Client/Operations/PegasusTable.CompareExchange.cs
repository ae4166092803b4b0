using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>
    /// Atomically replaces a record's value with <paramref name="desiredValue"/> when it equals
    /// <paramref name="expectedValue"/> byte for byte (a check-and-set with <see cref="CheckType.ValueBytesEqual"/>
    /// on the same sort key, as Java's <c>compareExchange</c>).
    /// </summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="sortKey">The sort key.</param>
    /// <param name="expectedValue">The value the record must hold.</param>
    /// <param name="desiredValue">The value written when it does.</param>
    /// <param name="ttlSeconds">The written value's TTL in seconds; 0 for none.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the value was replaced, and otherwise the value found (null when the record does not exist).</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key; <see cref="ErrorCode.InvalidArgument"/> for a negative TTL.
    /// </exception>
    public async Task<CompareExchangeResult> CompareExchangeAsync(
        byte[] hashKey, byte[] sortKey, byte[] expectedValue, byte[] desiredValue, int ttlSeconds = 0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "CompareExchange");
        ArgumentNullException.ThrowIfNull(sortKey);
        ArgumentNullException.ThrowIfNull(expectedValue);
        ArgumentNullException.ThrowIfNull(desiredValue);
        Validation.Ttl(ttlSeconds, "CompareExchange");
        var options = new CheckAndSetOptions { SetValueTtlSeconds = ttlSeconds, ReturnCheckValue = true };
        var request = Requests.CheckAndSet(hashKey, sortKey, CheckType.ValueBytesEqual, expectedValue, sortKey, desiredValue, options, _core.TimeProvider.GetUtcNow());
        return await RunAsync("CompareExchange", Requests.HashKeyHash(hashKey), request, static response => response.Error switch
        {
            ErrorCode.Ok => new CompareExchangeResult(true, null),
            ErrorCode.TryAgain => new CompareExchangeResult(
                false, response.CheckAndSet is { CheckValueExist: true } result ? result.CheckValue.ToByteArray() : null),
            _ => throw new CheckAndSetException(response, ErrorMessage("CompareExchange", response)),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }
}
