using Pegasus.Protocol;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>
    /// Reads several hash keys' records, one multi-get per hash key, all sent concurrently (Java's <c>batchMultiGet</c>).
    /// </summary>
    /// <param name="keys">Each hash key with the sort keys to read (null or empty: all of them); must not be empty.</param>
    /// <param name="options">Limits and no-value, applied to each hash key.</param>
    /// <param name="timeout">Each multi-get's timeout (they run concurrently); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per hash key, in the order given.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidArgument"/> for no keys; otherwise the first failing hash key's failure (in the order given).
    /// </exception>
    public async Task<IReadOnlyList<MultiGetResult>> BatchMultiGetAsync(
        IEnumerable<(byte[] HashKey, IEnumerable<byte[]>? SortKeys)> keys, MultiGetOptions? options = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var results = await BatchMultiGetEachAsync(keys, options, timeout, cancellationToken).ConfigureAwait(false);
        return [.. results.Select(r => r.Error is { } error ? throw error : r.Value!)];
    }

    /// <summary>
    /// Reads several hash keys' records, one multi-get per hash key, all sent concurrently, and reports each hash key on
    /// its own (Java's <c>batchMultiGet2</c>).
    /// </summary>
    /// <param name="keys">Each hash key with the sort keys to read (null or empty: all of them); must not be empty.</param>
    /// <param name="options">Limits and no-value, applied to each hash key.</param>
    /// <param name="timeout">Each multi-get's timeout (they run concurrently); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per hash key, in the order given, each with its records or its error.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidArgument"/> for no keys.</exception>
    public Task<IReadOnlyList<BatchResult<MultiGetResult?>>> BatchMultiGetEachAsync(
        IEnumerable<(byte[] HashKey, IEnumerable<byte[]>? SortKeys)> keys, MultiGetOptions? options = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();

        // As Java's batchMultiGet and batchMultiGet2: an empty request is a mistake, not an empty answer.
        Validation.NotEmpty(list.Count, "the keys", "BatchMultiGet");
        return RunEachAsync(list.Select(k => (Func<Task<MultiGetResult>>)(() => MultiGetAsync(k.HashKey, k.SortKeys, options, timeout, cancellationToken))));
    }

    /// <summary>
    /// Writes several hash keys' records, one atomic multi-set per hash key, all sent concurrently (Java's
    /// <c>batchMultiSet</c>). Not atomic across hash keys. Every item is checked before anything is sent.
    /// </summary>
    /// <param name="items">Each hash key with its records; must not be empty.</param>
    /// <param name="ttlSeconds">The records' TTL in seconds; 0 for none.</param>
    /// <param name="timeout">Each multi-set's timeout (they run concurrently); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes once every multi-set is committed.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidArgument"/> for no items or a negative TTL, <see cref="ErrorCode.InvalidHashKey"/> or
    /// <see cref="ErrorCode.InvalidValue"/> for an invalid item; otherwise the first failing item's failure.
    /// </exception>
    public async Task BatchMultiSetAsync(
        IEnumerable<(byte[] HashKey, IEnumerable<(byte[] SortKey, byte[] Value)> Values)> items, int ttlSeconds = 0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.Select(i => (i.HashKey, Values: (i.Values ?? throw new ArgumentNullException(nameof(items))).ToList())).ToList();
        Validation.NotEmpty(list.Count, "the items", "BatchMultiSet");
        Validation.Ttl(ttlSeconds, "BatchMultiSet");
        foreach (var (hashKey, values) in list)
        {
            Validation.NonEmptyHashKey(hashKey, "BatchMultiSet");
            Validation.NotEmptyValues(values.Count, "the values", "BatchMultiSet");
        }

        var results = await RunEachAsync(list.Select(i => (Func<Task>)(() => MultiSetAsync(i.HashKey, i.Values, ttlSeconds, timeout, cancellationToken)))).ConfigureAwait(false);
        ThrowFirstError(results);
    }

    /// <summary>
    /// Writes several hash keys' records, one atomic multi-set per hash key, all sent concurrently, and reports each hash
    /// key on its own (Java's <c>batchMultiSet2</c>).
    /// </summary>
    /// <param name="items">Each hash key with its records; may be empty.</param>
    /// <param name="ttlSeconds">The records' TTL in seconds; 0 for none.</param>
    /// <param name="timeout">Each multi-set's timeout (they run concurrently); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per hash key, in the order given; an invalid item's result carries its validation error.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidArgument"/> for a negative TTL.</exception>
    public Task<IReadOnlyList<BatchResult>> BatchMultiSetEachAsync(
        IEnumerable<(byte[] HashKey, IEnumerable<(byte[] SortKey, byte[] Value)> Values)> items, int ttlSeconds = 0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);

        // As Java's batchMultiSet2: the TTL applies to every item, so a bad one fails the call.
        Validation.Ttl(ttlSeconds, "BatchMultiSetEach");
        return RunEachAsync(items.ToList().Select(i => (Func<Task>)(() => MultiSetAsync(i.HashKey, i.Values, ttlSeconds, timeout, cancellationToken))));
    }

    /// <summary>
    /// Deletes sort keys of several hash keys, one atomic multi-delete per hash key, all sent concurrently (Java's
    /// <c>batchMultiDel</c>). Every item is checked before anything is sent.
    /// </summary>
    /// <param name="keys">Each hash key with the sort keys to delete; must not be empty.</param>
    /// <param name="timeout">Each multi-delete's timeout (they run concurrently); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes once every multi-delete is committed.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidArgument"/> for no keys, <see cref="ErrorCode.InvalidHashKey"/> or
    /// <see cref="ErrorCode.InvalidValue"/> for an invalid item; otherwise the first failing item's failure.
    /// </exception>
    public async Task BatchMultiDeleteAsync(
        IEnumerable<(byte[] HashKey, IEnumerable<byte[]> SortKeys)> keys, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.Select(k => (k.HashKey, SortKeys: (k.SortKeys ?? throw new ArgumentNullException(nameof(keys))).ToList())).ToList();
        Validation.NotEmpty(list.Count, "the keys", "BatchMultiDelete");
        foreach (var (hashKey, sortKeys) in list)
        {
            Validation.NonEmptyHashKey(hashKey, "BatchMultiDelete");
            Validation.NotEmptyValues(sortKeys.Count, "the sort keys", "BatchMultiDelete");
        }

        var results = await RunEachAsync(list.Select(k => (Func<Task>)(() => MultiDeleteAsync(k.HashKey, k.SortKeys, timeout, cancellationToken)))).ConfigureAwait(false);
        ThrowFirstError(results);
    }

    /// <summary>
    /// Deletes sort keys of several hash keys, one atomic multi-delete per hash key, all sent concurrently, and reports
    /// each hash key on its own (Java's <c>batchMultiDel2</c>).
    /// </summary>
    /// <param name="keys">Each hash key with the sort keys to delete; may be empty.</param>
    /// <param name="timeout">Each multi-delete's timeout (they run concurrently); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per hash key, in the order given; an invalid item's result carries its validation error.</returns>
    public Task<IReadOnlyList<BatchResult>> BatchMultiDeleteEachAsync(
        IEnumerable<(byte[] HashKey, IEnumerable<byte[]> SortKeys)> keys, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return RunEachAsync(keys.ToList().Select(k => (Func<Task>)(() => MultiDeleteAsync(k.HashKey, k.SortKeys, timeout, cancellationToken))));
    }

    private static void ThrowFirstError(IReadOnlyList<BatchResult> results)
    {
        foreach (var result in results)
        {
            if (result.Error is { } error)
            {
                throw error;
            }
        }
    }
}
