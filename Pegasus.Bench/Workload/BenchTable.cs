using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pegasus.Client;
using Pegasus.Protocol;
using Pegasus.Protocol.Hashing;

namespace Pegasus.Bench.Workload;

/// <summary>Gets the benchmark's table ready: created when missing, then probed until every partition answers.</summary>
public static class BenchTable
{
    /// <summary>Creates the table if it does not exist, opens it and waits until every partition is served.</summary>
    /// <param name="client">The client (with admin addresses).</param>
    /// <param name="settings">The run's settings.</param>
    /// <param name="log">Where progress goes.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The opened table.</returns>
    /// <exception cref="TimeoutException">A partition was not served within <see cref="BenchSettings.StartTimeout"/>.</exception>
    public static async Task<PegasusTable> PrepareAsync(PegasusClient client, BenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        TableInfo info;
        try
        {
            info = await client.Admin.GetTableAsync(settings.Table, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"table: '{info.Name}' exists ({info.PartitionCount} partitions); using it as it is");
        }
        catch (PegasusException ex) when (ex.Error == ErrorCode.AppNotExist)
        {
            info = await client.Admin.CreateTableAsync(settings.Table, settings.Partitions, settings.ReplicaCount, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"table: created '{info.Name}' ({info.PartitionCount} partitions, replica count {info.ReplicaCount})");
        }

        var table = await client.OpenTableAsync(settings.Table, cancellationToken).ConfigureAwait(false);
        await WaitUntilServedAsync(table, settings.StartTimeout, cancellationToken).ConfigureAwait(false);

        // Said outright because it decides what a write costs: how many copies each partition really has now.
        info = await client.Admin.GetTableAsync(settings.Table, cancellationToken).ConfigureAwait(false);
        var copies = info.Partitions.Select(p => (string.IsNullOrEmpty(p.Primary) ? 0 : 1) + p.Secondaries.Count).ToArray();
        var servers = info.Partitions.Select(p => p.Primary).Distinct(StringComparer.Ordinal).Count();
        var copyRange = copies.Min() == copies.Max() ? $"{copies.Min()}" : $"{copies.Min()}..{copies.Max()}";
        log.WriteLine($"table: every partition served; copies per partition (primary + secondaries): {copyRange}; primaries spread over {servers} replica server(s)");
        return table;
    }

    private static async Task WaitUntilServedAsync(PegasusTable table, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // One probe key per partition: the table is ready when each partition's primary answers a read.
        var pending = new Queue<byte[]>(ProbeKeys(table.PartitionCount));
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        string? lastFailure = null;
        while (pending.TryPeek(out var key))
        {
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                throw new TimeoutException($"table '{table.Name}': {pending.Count} partition(s) not served within {timeout}; last failure: {lastFailure}");
            }

            try
            {
                await table.ExistAsync(key, [], TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                pending.Dequeue();
                continue;
            }
            catch (PegasusException ex) when (ex.IsTransient || ex.Error == ErrorCode.Unknown)
            {
                // Not served yet: the replica server opens a new partition at its next beacon.
                lastFailure = ex.Message;
            }

            // Poll interval of a bounded wait.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<byte[]> ProbeKeys(int partitionCount)
    {
        var found = new byte[partitionCount][];
        var remaining = partitionCount;
        for (var n = 0; remaining > 0; n++)
        {
            var key = Encoding.ASCII.GetBytes("bench-probe-" + n.ToString(CultureInfo.InvariantCulture));
            var partition = PartitionResolver.PartitionIndex(key, [], partitionCount);
            if (found[partition] is null)
            {
                found[partition] = key;
                remaining--;
            }
        }

        return found;
    }
}
