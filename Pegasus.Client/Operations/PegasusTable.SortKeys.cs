using Pegasus.Protocol;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>Reads the sort keys (no values) of one hash key, as Java's <c>multiGetSortKeys</c>.</summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="options">Limits (<see cref="MultiGetOptions.MaxCount"/>, <see cref="MultiGetOptions.MaxSize"/>), filter and reverse; <see cref="MultiGetOptions.NoValue"/> is implied.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sort keys in ascending order, and whether a limit cut the result short.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key; <see cref="ErrorCode.InvalidArgument"/> for an unknown filter type.
    /// </exception>
    public Task<MultiGetSortKeysResult> MultiGetSortKeysAsync(
        byte[] hashKey, MultiGetOptions? options = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => MultiGetSortKeysAsync(hashKey, [], [], options, timeout, cancellationToken);

    /// <summary>Reads the sort keys (no values) of one hash key that fall in a range.</summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="startSortKey">The range's start; empty for the first sort key.</param>
    /// <param name="stopSortKey">The range's end; empty for past the last sort key.</param>
    /// <param name="options">Bounds' inclusiveness, filter, limits and reverse; <see cref="MultiGetOptions.NoValue"/> is implied.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sort keys in ascending order, and whether a limit cut the result short.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key; <see cref="ErrorCode.InvalidArgument"/> for an unknown filter type.
    /// </exception>
    public async Task<MultiGetSortKeysResult> MultiGetSortKeysAsync(
        byte[] hashKey, byte[] startSortKey, byte[] stopSortKey, MultiGetOptions? options = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "MultiGetSortKeys");
        ArgumentNullException.ThrowIfNull(startSortKey);
        ArgumentNullException.ThrowIfNull(stopSortKey);
        options = (options ?? MultiGetOptions.Default) with { NoValue = true };
        Validation.FilterType(options.SortKeyFilterType, "MultiGetSortKeys");
        var request = Requests.MultiGetRange(hashKey, startSortKey, stopSortKey, options);
        var result = await RunAsync("MultiGetSortKeys", Requests.HashKeyHash(hashKey), request, static response => ToMultiGetResult("MultiGetSortKeys", response), timeout, cancellationToken)
            .ConfigureAwait(false);
        return new MultiGetSortKeysResult([.. result.Values.Select(kv => kv.SortKey)], result.Complete);
    }
}
