using System.Text;
using Pegasus.Client;
using Pegasus.Protocol;

namespace Pegasus.Tests.Cluster;

/// <summary>Small helpers of the cluster tests: text keys, bounded polling, typed-error assertions.</summary>
internal static class ClusterTestHelpers
{
    /// <summary>How long a test waits for something the cluster does on its own (TTL expiry, recovery).</summary>
    public static readonly TimeSpan EventualTimeout = TimeSpan.FromSeconds(30);

    /// <summary>UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>UTF-8 text of <paramref name="bytes"/>.</summary>
    public static string S(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    /// <summary>Sort keys as text, in the order given.</summary>
    public static string[] SortKeys(MultiGetResult result) => [.. result.Values.Select(kv => S(kv.SortKey))];

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/>.</summary>
    /// <param name="condition">What must become true.</param>
    /// <param name="describe">What was waited for, for the failure message.</param>
    /// <param name="timeout">The bound; <see cref="EventualTimeout"/> when null.</param>
    /// <returns>A task that completes once the condition holds.</returns>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var limit = timeout ?? EventualTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            while (!await condition())
            {
                // Polling interval of a bounded wait.
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"Not reached within {limit}: {describe()}");
        }
    }

    /// <summary>Asserts that <paramref name="action"/> fails with a <see cref="PegasusException"/> carrying <paramref name="error"/>.</summary>
    /// <param name="error">The expected error code.</param>
    /// <param name="action">The call.</param>
    /// <returns>The exception.</returns>
    public static async Task<PegasusException> AssertErrorAsync(ErrorCode error, Func<Task> action)
    {
        // Any subclass too: refusals that carry results (IncrException, CheckAndSetException, ...) are PegasusExceptions.
        var exception = await Assert.ThrowsAnyAsync<PegasusException>(action);
        Assert.True(exception.Error == error, $"Expected {error}, got {exception.Error}: {exception.Message}");
        return exception;
    }

    /// <summary>Reads every record of a table with one unordered scanner per partition.</summary>
    /// <param name="table">The table.</param>
    /// <param name="options">Scan options; null for the defaults.</param>
    /// <returns>The records, as "hashKey/sortKey" to value text.</returns>
    public static async Task<List<PegasusRecord>> ScanAllAsync(PegasusTable table, ScanOptions? options = null)
    {
        var records = new List<PegasusRecord>();
        foreach (var scanner in await table.GetUnorderedScannersAsync(table.PartitionCount, options, TestContext.Current.CancellationToken))
        {
            await using (scanner)
            {
                await foreach (var record in scanner.WithCancellation(TestContext.Current.CancellationToken))
                {
                    records.Add(record);
                }
            }
        }

        return records;
    }
}
