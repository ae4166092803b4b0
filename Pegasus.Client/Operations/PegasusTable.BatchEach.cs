using Pegasus.Protocol;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>
    /// Reads records of any hash keys and reports each key on its own (Java's <c>batchGet2</c> /
    /// <c>batchGetByPartitions</c>): the keys are grouped by partition, one request per group, all sent concurrently;
    /// a group that fails marks only its own keys failed.
    /// </summary>
    /// <param name="keys">The (hash key, sort key) pairs to read; may repeat; must not be empty.</param>
    /// <param name="timeout">The call's timeout (for all groups); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// One result per key, in the order given: the value (null when the record does not exist), or the error of that
    /// key (<see cref="ErrorCode.InvalidHashKey"/> for a too long hash key, which is not sent; its group's failure otherwise).
    /// </returns>
    /// <exception cref="PegasusException"><see cref="ErrorCode.InvalidArgument"/> for no keys.</exception>
    public async Task<IReadOnlyList<BatchResult<byte[]?>>> BatchGetEachAsync(
        IEnumerable<(byte[] HashKey, byte[] SortKey)> keys, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        Validation.NotEmpty(list.Count, "the keys", "BatchGetEach");
        var results = new BatchResult<byte[]?>[list.Count];
        var valid = new List<(byte[] HashKey, byte[] SortKey)>(list.Count);
        var positions = new List<int>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(list[i].SortKey, nameof(keys));
            try
            {
                Validation.HashKey(list[i].HashKey, "BatchGetEach");
                valid.Add(list[i]);
                positions.Add(i);
            }
            catch (PegasusException ex)
            {
                results[i] = new BatchResult<byte[]?>(null, ex);
            }
        }

        if (valid.Count > 0)
        {
            using var scope = StartOperation("BatchGetEach", timeout, cancellationToken);
            var found = new BatchGetItem[valid.Count];
            var groups = Requests.SplitByPartition(valid, Router.Current.PartitionCount);
            PegasusException? firstError = null;
            await Task.WhenAll(groups.Values.Select(async group =>
            {
                PegasusException? error = null;
                try
                {
                    await BatchGetGroupAsync(scope, valid, group, found).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (scope.TimedOut)
                {
                    error = scope.TimeoutException(ex);
                }
                catch (PegasusException ex)
                {
                    error = ex;
                }

                if (error is not null)
                {
                    Interlocked.CompareExchange(ref firstError, error, null);
                }

                foreach (var index in group)
                {
                    results[positions[index]] = new BatchResult<byte[]?>(error is null ? found[index].Value : null, error);
                }
            })).ConfigureAwait(false);
            if (firstError is null)
            {
                scope.Succeeded();
            }
            else
            {
                scope.Failed(firstError);
            }
        }

        return results;
    }

    /// <summary>
    /// Writes records of any hash keys, each as its own set, all sent concurrently, and reports each record on its own
    /// (Java's <c>batchSet2</c>): one failure does not hide the others. Not atomic.
    /// </summary>
    /// <param name="items">The records to write; may be empty.</param>
    /// <param name="ttlSeconds">The records' TTL in seconds; 0 for none.</param>
    /// <param name="timeout">Each write's timeout (they run concurrently); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per record, in the order given; an invalid record's result carries its validation error.</returns>
    public Task<IReadOnlyList<BatchResult>> BatchSetEachAsync(
        IEnumerable<(byte[] HashKey, byte[] SortKey, byte[] Value)> items, int ttlSeconds = 0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return RunEachAsync(items.Select(i => (Func<Task>)(() => SetAsync(i.HashKey, i.SortKey, i.Value, ttlSeconds, timeout, cancellationToken))));
    }

    /// <summary>
    /// Deletes records of any hash keys, each as its own delete, all sent concurrently, and reports each record on its
    /// own (Java's <c>batchDel2</c>). Not atomic.
    /// </summary>
    /// <param name="keys">The (hash key, sort key) pairs to delete; may be empty.</param>
    /// <param name="timeout">Each delete's timeout (they run concurrently); null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per key, in the order given.</returns>
    public Task<IReadOnlyList<BatchResult>> BatchDeleteEachAsync(
        IEnumerable<(byte[] HashKey, byte[] SortKey)> keys, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return RunEachAsync(keys.Select(k => (Func<Task>)(() => DeleteAsync(k.HashKey, k.SortKey, timeout, cancellationToken))));
    }

    /// <summary>
    /// Runs independent operations concurrently and keeps each one's failure as its result. A cancelled caller token
    /// still throws: cancellation ends the whole call, not single items.
    /// </summary>
    private static async Task<IReadOnlyList<BatchResult>> RunEachAsync(IEnumerable<Func<Task>> calls)
    {
        var results = await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                await call().ConfigureAwait(false);
                return new BatchResult(null);
            }
            catch (PegasusException ex)
            {
                return new BatchResult(ex);
            }
        })).ConfigureAwait(false);
        return results;
    }

    /// <summary>Like <see cref="RunEachAsync(IEnumerable{Func{Task}})"/>, for operations with a result.</summary>
    private static async Task<IReadOnlyList<BatchResult<T?>>> RunEachAsync<T>(IEnumerable<Func<Task<T>>> calls)
    {
        var results = await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                return new BatchResult<T?>(await call().ConfigureAwait(false), null);
            }
            catch (PegasusException ex)
            {
                return new BatchResult<T?>(default, ex);
            }
        })).ConfigureAwait(false);
        return results;
    }
}
