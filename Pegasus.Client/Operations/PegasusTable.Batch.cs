using Pegasus.Protocol;
using Pegasus.Protocol.Keys;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>
    /// Reads records of any hash keys: the keys are grouped by partition and each group is one request, all
    /// sent concurrently. Not atomic across partitions.
    /// </summary>
    /// <param name="keys">The (hash key, sort key) pairs to read; may repeat.</param>
    /// <param name="timeout">The call's timeout (for all groups); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One item per key, in the order given, with <see cref="BatchGetItem.Value"/> null for records that do not exist.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidArgument"/> for no keys, <see cref="ErrorCode.InvalidHashKey"/> for a too long hash key; otherwise the first group's failure.</exception>
    public async Task<IReadOnlyList<BatchGetItem>> BatchGetAsync(
        IEnumerable<(byte[] HashKey, byte[] SortKey)> keys, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        ValidateKeys(list, "BatchGet");

        // Pegasus's clients and server refuse an empty batch get; answering an empty list would hide the mistake.
        Validation.NotEmpty(list.Count, "the keys", "BatchGet");

        using var scope = StartOperation("BatchGet", timeout, cancellationToken);
        try
        {
            var results = new BatchGetItem[list.Count];
            var groups = Requests.SplitByPartition(list, Router.Current.PartitionCount);
            await Task.WhenAll(groups.Values.Select(group => BatchGetGroupAsync(scope, list, group, results))).ConfigureAwait(false);
            scope.Succeeded();
            return results;
        }
        catch (OperationCanceledException ex) when (scope.TimedOut)
        {
            throw scope.TimeoutException(ex);
        }
        catch (Exception ex) when (scope.Failed(ex))
        {
            throw;
        }
    }

    /// <summary>
    /// Writes records of any hash keys, each as its own set, all sent concurrently (they share the client's
    /// batched streams). Not atomic: when some fail, the others may still have been written.
    /// </summary>
    /// <param name="items">The records to write.</param>
    /// <param name="ttlSeconds">The records' TTL in seconds; 0 for none.</param>
    /// <param name="timeout">The call's timeout (for all records); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes once every write is committed.</returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidHashKey"/> for a too long hash key, <see cref="ErrorCode.InvalidArgument"/> for a negative TTL; otherwise the first failure.</exception>
    public async Task BatchSetAsync(
        IEnumerable<(byte[] HashKey, byte[] SortKey, byte[] Value)> items, int ttlSeconds = 0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToList();
        ValidateKeys(list.Select(i => (i.HashKey, i.SortKey)), "BatchSet");
        foreach (var item in list)
        {
            ArgumentNullException.ThrowIfNull(item.Value, nameof(items));
        }

        Validation.Ttl(ttlSeconds, "BatchSet");
        var now = _core.TimeProvider.GetUtcNow();
        await RunManyAsync("BatchSet", list.Select(i => (Requests.KeyHash(i.HashKey, i.SortKey), Requests.Set(i.HashKey, i.SortKey, i.Value, ttlSeconds, now))), timeout, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Deletes records of any hash keys, each as its own delete, all sent concurrently. Not atomic.</summary>
    /// <param name="keys">The (hash key, sort key) pairs to delete.</param>
    /// <param name="timeout">The call's timeout (for all records); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes once every delete is committed.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidArgument"/> for no keys, <see cref="ErrorCode.InvalidHashKey"/> for a too long hash key;
    /// otherwise the first failure.
    /// </exception>
    public async Task BatchDeleteAsync(
        IEnumerable<(byte[] HashKey, byte[] SortKey)> keys, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        ValidateKeys(list, "BatchDelete");

        // As Java's batchDel (batchDel2, BatchDeleteEachAsync here, accepts an empty list).
        Validation.NotEmpty(list.Count, "the keys", "BatchDelete");
        await RunManyAsync("BatchDelete", list.Select(k => (Requests.KeyHash(k.HashKey, k.SortKey), Requests.Delete(k.HashKey, k.SortKey))), timeout, cancellationToken)
            .ConfigureAwait(false);
    }

    private static void ValidateKeys(IEnumerable<(byte[] HashKey, byte[] SortKey)> keys, string operation)
    {
        foreach (var (hashKey, sortKey) in keys)
        {
            Validation.HashKey(hashKey, operation);
            ArgumentNullException.ThrowIfNull(sortKey, nameof(keys));
        }
    }

    private async Task BatchGetGroupAsync(OperationScope scope, List<(byte[] HashKey, byte[] SortKey)> keys, List<int> group, BatchGetItem[] results)
    {
        var first = keys[group[0]];
        var request = Requests.BatchGet(group.Select(i => keys[i]));
        Validation.RequestSize(request, _core.Options.MaxAllowedWriteSize, "BatchGet");
        var response = await SendAsync(scope, Requests.KeyHash(first.HashKey, first.SortKey), request, retry: true).ConfigureAwait(false);
        if (response.Error is not (ErrorCode.Ok or ErrorCode.NotFound))
        {
            throw UnexpectedError("BatchGet", response);
        }

        // The response lists only the keys found; match them by content (keys may repeat).
        var found = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        foreach (var data in response.BatchGet?.Data ?? [])
        {
            found[StorageKey.Encode(data.HashKey.Span, data.SortKey.Span)] = data.Value.ToByteArray();
        }

        foreach (var index in group)
        {
            var (hashKey, sortKey) = keys[index];
            results[index] = new BatchGetItem(hashKey, sortKey, found.GetValueOrDefault(StorageKey.Encode(hashKey, sortKey)));
        }
    }

    /// <summary>Sends independent single-key writes concurrently within one operation scope.</summary>
    private async Task RunManyAsync(string operation, IEnumerable<(ulong PartitionHash, Protocol.Data.DataRequest Request)> requests, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var list = requests.ToList();
        if (list.Count == 0)
        {
            return;
        }

        // All checked first (SendAsync does not check), so that one oversized record fails the call before any record is sent.
        foreach (var item in list)
        {
            Validation.RequestSize(item.Request, _core.Options.MaxAllowedWriteSize, operation);
        }

        using var scope = StartOperation(operation, timeout, cancellationToken);
        try
        {
            await Task.WhenAll(list.Select(async item =>
            {
                var response = await SendAsync(scope, item.PartitionHash, item.Request, retry: true).ConfigureAwait(false);
                if (response.Error is not (ErrorCode.Ok or ErrorCode.NotFound))
                {
                    throw UnexpectedError(operation, response);
                }
            })).ConfigureAwait(false);
            scope.Succeeded();
        }
        catch (OperationCanceledException ex) when (scope.TimedOut)
        {
            throw scope.TimeoutException(ex);
        }
        catch (Exception ex) when (scope.Failed(ex))
        {
            throw;
        }
    }
}
