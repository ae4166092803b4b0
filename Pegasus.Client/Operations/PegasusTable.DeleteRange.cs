using Pegasus.Protocol;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>Sort keys per multi-delete of <see cref="DeleteRangeAsync"/>, as Java's delRange.</summary>
    internal const int DeleteRangeBatchSize = 100;

    /// <summary>
    /// Deletes the records of one hash key whose sort keys fall in a range (and match the filter): scans their sort
    /// keys (no values travel) and deletes them with multi-deletes of 100 sort keys, as Java's <c>delRange</c>. Not
    /// atomic: each batch is atomic, and a failure reports how far the deletion got.
    /// </summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="startSortKey">The range's start; empty for the first sort key.</param>
    /// <param name="stopSortKey">The range's end; empty for past the last sort key.</param>
    /// <param name="options">Bounds' inclusiveness and the sort-key filter.</param>
    /// <param name="timeout">The timeout of the whole deletion; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of sort keys deleted.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key; <see cref="ErrorCode.InvalidArgument"/>
    /// for an unknown filter type. Nothing is deleted then.
    /// </exception>
    /// <exception cref="DeleteRangeException">
    /// A batch or a scan round trip failed, or the timeout passed: <see cref="DeleteRangeException.NextSortKey"/> says
    /// where to restart.
    /// </exception>
    public async Task<long> DeleteRangeAsync(
        byte[] hashKey, byte[] startSortKey, byte[] stopSortKey, DeleteRangeOptions? options = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "DeleteRange");
        ArgumentNullException.ThrowIfNull(startSortKey);
        ArgumentNullException.ThrowIfNull(stopSortKey);
        options ??= DeleteRangeOptions.Default;
        Validation.FilterType(options.SortKeyFilterType, "DeleteRange");
        var effective = timeout ?? _core.Options.DefaultTimeout;
        OperationScope.ValidateTimeout(effective);

        // One deadline for the whole deletion, as Java's delRange: every scan round trip and batch gets what is left.
        using var deadline = effective == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(effective, _core.TimeProvider);
        using var linked = deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var started = _core.TimeProvider.GetTimestamp();
        TimeSpan Remaining()
        {
            if (deadline is null)
            {
                return Timeout.InfiniteTimeSpan;
            }

            var left = effective - _core.TimeProvider.GetElapsedTime(started);
            return left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1);
        }

        var scanOptions = new ScanOptions
        {
            NoValue = true,
            StartInclusive = options.StartInclusive,
            StopInclusive = options.StopInclusive,
            SortKeyFilterType = options.SortKeyFilterType,
            SortKeyFilterPattern = options.SortKeyFilterPattern,
            BatchSize = DeleteRangeBatchSize,
            Timeout = effective,
        };

        var next = startSortKey;
        long deleted = 0;
        var batch = new List<byte[]>(DeleteRangeBatchSize);
        try
        {
            await using var scanner = await GetScannerAsync(hashKey, startSortKey, stopSortKey, scanOptions, linked.Token).ConfigureAwait(false);
            await foreach (var record in scanner.WithCancellation(linked.Token).ConfigureAwait(false))
            {
                batch.Add(record.SortKey);
                if (batch.Count == DeleteRangeBatchSize)
                {
                    deleted += await DeleteBatchAsync().ConfigureAwait(false);
                }
            }

            if (batch.Count > 0)
            {
                deleted += await DeleteBatchAsync().ConfigureAwait(false);
            }

            return deleted;
        }
        catch (OperationCanceledException ex) when (deadline is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw new DeleteRangeException(
                ErrorCode.Timeout, $"DeleteRange on table '{Name}' timed out after {effective}; {deleted} sort keys deleted", batch.Count > 0 ? batch[0] : next, deleted, ex);
        }
        catch (PegasusException ex) when (ex is not DeleteRangeException)
        {
            throw new DeleteRangeException(
                ex.Error, $"DeleteRange on table '{Name}' stopped after {deleted} sort keys: {ex.Message}", batch.Count > 0 ? batch[0] : next, deleted, ex);
        }

        async Task<long> DeleteBatchAsync()
        {
            await MultiDeleteAsync(hashKey, batch, Remaining(), linked.Token).ConfigureAwait(false);
            var count = batch.Count;

            // Everything up to the batch's last sort key is gone; restarting inclusive from it repeats one harmless delete.
            next = batch[^1];
            batch.Clear();
            return count;
        }
    }
}
