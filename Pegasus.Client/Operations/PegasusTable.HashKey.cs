using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>Writes several records of one hash key atomically.</summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="values">The sort keys and values to write; must not be empty.</param>
    /// <param name="ttlSeconds">The records' TTL in seconds; 0 for none.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes once the write is committed.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key, <see cref="ErrorCode.InvalidValue"/> for no
    /// values, <see cref="ErrorCode.InvalidArgument"/> for a negative TTL.
    /// </exception>
    public async Task MultiSetAsync(
        byte[] hashKey, IEnumerable<(byte[] SortKey, byte[] Value)> values, int ttlSeconds = 0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "MultiSet");
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToList();
        Validation.NotEmptyValues(list.Count, "the values", "MultiSet");
        foreach (var (sortKey, value) in list)
        {
            ArgumentNullException.ThrowIfNull(sortKey, nameof(values));
            ArgumentNullException.ThrowIfNull(value, nameof(values));
        }

        Validation.Ttl(ttlSeconds, "MultiSet");
        var request = Requests.MultiSet(hashKey, list, ttlSeconds, _core.TimeProvider.GetUtcNow());
        await RunAsync("MultiSet", Requests.HashKeyHash(hashKey), request, static response => response.Error switch
        {
            ErrorCode.Ok => true,
            _ => throw UnexpectedError("MultiSet", response),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads records of one hash key by sort key, or all of them when no sort key is given.</summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="sortKeys">The sort keys to read; null or empty reads every sort key of the hash key.</param>
    /// <param name="options">
    /// Limits (<see cref="MultiGetOptions.MaxCount"/>, <see cref="MultiGetOptions.MaxSize"/>) and
    /// <see cref="MultiGetOptions.NoValue"/>; the range options apply only when <paramref name="sortKeys"/> is empty.
    /// </param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The records found, and whether a limit cut the result short. With <paramref name="sortKeys"/> they come in the
    /// order asked for (missing sort keys are left out, repeated ones repeat; the limits apply in that order), as from
    /// Pegasus's server and Java client; without, in ascending sort-key order.
    /// </returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key.</exception>
    public async Task<MultiGetResult> MultiGetAsync(
        byte[] hashKey, IEnumerable<byte[]>? sortKeys = null, MultiGetOptions? options = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "MultiGet");
        var keys = sortKeys?.ToList() ?? [];
        foreach (var sortKey in keys)
        {
            ArgumentNullException.ThrowIfNull(sortKey, nameof(sortKeys));
        }

        options ??= MultiGetOptions.Default;
        Validation.FilterType(options.SortKeyFilterType, "MultiGet");
        var request = keys.Count == 0
            ? Requests.MultiGetRange(hashKey, [], [], options)
            : Requests.MultiGetByKeys(hashKey, keys, options);
        return await RunAsync("MultiGet", Requests.HashKeyHash(hashKey), request, static response => ToMultiGetResult("MultiGet", response), timeout, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Reads the records of one hash key whose sort keys fall in a range.</summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="startSortKey">The range's start; empty for the first sort key.</param>
    /// <param name="stopSortKey">The range's end; empty for past the last sort key.</param>
    /// <param name="options">Bounds' inclusiveness, sort-key filter, limits, no-value and reverse.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records in the range, and whether a limit cut the result short.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key.</exception>
    public async Task<MultiGetResult> MultiGetRangeAsync(
        byte[] hashKey, byte[] startSortKey, byte[] stopSortKey, MultiGetOptions? options = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "MultiGetRange");
        ArgumentNullException.ThrowIfNull(startSortKey);
        ArgumentNullException.ThrowIfNull(stopSortKey);
        options ??= MultiGetOptions.Default;
        Validation.FilterType(options.SortKeyFilterType, "MultiGetRange");
        var request = Requests.MultiGetRange(hashKey, startSortKey, stopSortKey, options);
        return await RunAsync("MultiGetRange", Requests.HashKeyHash(hashKey), request, static response => ToMultiGetResult("MultiGetRange", response), timeout, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Deletes several records of one hash key atomically.</summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="sortKeys">The sort keys to delete; must not be empty.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of records the server counted as deleted.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key, <see cref="ErrorCode.InvalidValue"/> for no sort keys.</exception>
    public async Task<long> MultiDeleteAsync(byte[] hashKey, IEnumerable<byte[]> sortKeys, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "MultiDelete");
        ArgumentNullException.ThrowIfNull(sortKeys);
        var keys = sortKeys.ToList();
        Validation.NotEmptyValues(keys.Count, "the sort keys", "MultiDelete");
        foreach (var sortKey in keys)
        {
            ArgumentNullException.ThrowIfNull(sortKey, nameof(sortKeys));
        }

        return await RunAsync("MultiDelete", Requests.HashKeyHash(hashKey), Requests.MultiDelete(hashKey, keys), static response => response.Error switch
        {
            ErrorCode.Ok => response.MultiDelete?.Count ?? 0,
            _ => throw UnexpectedError("MultiDelete", response),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts the (unexpired) records of one hash key.</summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The number of sort keys, or -1 (as in Pegasus) when the server could not count them within its iteration
    /// time limit (<c>Storage:IterationThresholdTime</c>).
    /// </returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key.</exception>
    public async Task<long> SortKeyCountAsync(byte[] hashKey, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "SortKeyCount");
        return await RunAsync("SortKeyCount", Requests.HashKeyHash(hashKey), Requests.SortKeyCount(hashKey), static response => response.Error switch
        {
            ErrorCode.Ok => response.SortKeyCount?.Count ?? 0,
            ErrorCode.NotFound => 0L,
            _ => throw UnexpectedError("SortKeyCount", response),
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    private static MultiGetResult ToMultiGetResult(string operation, DataResponse response)
    {
        var complete = response.Error switch
        {
            ErrorCode.Ok or ErrorCode.NotFound => true,
            ErrorCode.Incomplete => false,
            _ => throw UnexpectedError(operation, response),
        };
        var kvs = response.MultiGet?.Kvs;
        if (kvs is null || kvs.Count == 0)
        {
            return new MultiGetResult([], complete);
        }

        var values = new (byte[] SortKey, byte[] Value)[kvs.Count];
        for (var i = 0; i < kvs.Count; i++)
        {
            values[i] = (kvs[i].SortKey.ToByteArray(), kvs[i].Value.ToByteArray());
        }

        return new MultiGetResult(values, complete);
    }
}
