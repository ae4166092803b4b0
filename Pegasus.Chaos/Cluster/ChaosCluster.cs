using System.Diagnostics;
using Pegasus.Chaos.Reporting;
using Pegasus.Chaos.Workload;
using Pegasus.Client;
using Pegasus.LocalCluster;
using Pegasus.Protocol;

namespace Pegasus.Chaos.Cluster;

/// <summary>How a chaos run sets up its cluster, its clients and its table, and how it waits for the table to recover.</summary>
public static class ChaosCluster
{
    private static readonly TimeSpan ProbeRetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The cluster a run starts: proxies in front of every replica server, the timing settings, server logs to files.</summary>
    /// <param name="settings">The run.</param>
    /// <returns>The cluster's options.</returns>
    public static ProcessClusterOptions Options(ChaosSettings settings)
    {
        var meta = settings.Timings.MetaConfiguration();
        var replica = settings.Timings.ReplicaConfiguration();

        // The servers' own decisions (reconfiguration, leases, learning) are what a failed run is debugged from.
        meta["Logging:LogLevel:Pegasus"] = "Information";
        replica["Logging:LogLevel:Pegasus"] = "Information";
        Overlay(meta, settings.MetaSettings);
        Overlay(replica, settings.ReplicaSettings);
        return new ProcessClusterOptions
        {
            ReplicaServers = settings.Servers,
            MetaSettings = meta,
            ReplicaSettings = replica,

            // Four servers and the tool share a small machine: workstation GC keeps each server's heap small.
            Environment = new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" },
            Proxies = true,
            LogFiles = true,
            StartTimeout = settings.StartTimeout,
            DirectoryPrefix = "pegasus-chaos-",
        };
    }

    /// <summary>The workload's client: the run's operation timeout, quick failure detection, short retry backoff.</summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="settings">The run.</param>
    /// <returns>The client's options.</returns>
    public static PegasusClientOptions ClientOptions(ProcessCluster cluster, ChaosSettings settings) => new()
    {
        MetaServers = [cluster.MetaGrpcAddress],
        MetaAdminAddresses = [cluster.MetaHttpAddress],
        DefaultTimeout = settings.OperationTimeout,
        AdminTimeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(1),
        RetryMaxBackoff = TimeSpan.FromMilliseconds(250),

        // A paused or cut-off server holds its connections open: pings find it within seconds, so requests move on
        // to the new primary instead of timing out against the old one for good.
        KeepAlivePingDelay = TimeSpan.FromSeconds(1),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>The nemesis's admin client: calls give up quickly when the meta server is down.</summary>
    /// <param name="cluster">The cluster.</param>
    /// <returns>The admin client's options.</returns>
    public static PegasusClientOptions NemesisAdminOptions(ProcessCluster cluster) => new()
    {
        MetaServers = [cluster.MetaGrpcAddress],
        MetaAdminAddresses = [cluster.MetaHttpAddress],
        AdminTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(1),
    };

    /// <summary>
    /// Creates the table, waits until every partition has a primary (and, briefly, its secondaries), opens it, and reads
    /// one key of every partition so the workload starts against a table that serves.
    /// </summary>
    /// <param name="client">The workload's client.</param>
    /// <param name="settings">The run.</param>
    /// <param name="keys">The workload's keys (one per partition is probed).</param>
    /// <param name="healthWait">How long to wait for the secondaries before going on without them.</param>
    /// <param name="log">Where progress goes.</param>
    /// <param name="cancellationToken">Cancels the setup.</param>
    /// <returns>The opened table.</returns>
    /// <exception cref="PegasusException">The table was not created or not served in time.</exception>
    public static async Task<PegasusTable> PrepareTableAsync(
        PegasusClient client, ChaosSettings settings, KeySpace keys, TimeSpan healthWait, TextWriter log, CancellationToken cancellationToken)
    {
        await client.Admin.CreateTableAsync(settings.Table, settings.Partitions, settings.ReplicaCount, cancellationToken).ConfigureAwait(false);
        await client.Admin.WaitForTableAsync(settings.Table, t => t.AllPartitionsHavePrimary, settings.StartTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.Admin.WaitForTableHealthyAsync(settings.Table, healthWait, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"table: '{settings.Table}' ({settings.Partitions} partitions, replica count {settings.ReplicaCount}) healthy");
        }
        catch (PegasusException ex) when (ex.Error == ErrorCode.Timeout)
        {
            log.WriteLine($"table: WARNING: '{settings.Table}' has primaries but not all its secondaries after {healthWait.TotalSeconds:0} s; running anyway: {ex.Message}");
        }

        var table = await client.OpenTableAsync(settings.Table, settings.StartTimeout, cancellationToken).ConfigureAwait(false);
        var deadline = Stopwatch.GetTimestamp() + (long)(settings.StartTimeout.TotalSeconds * Stopwatch.Frequency);
        foreach (var probe in keys.All.GroupBy(k => k.Partition).Select(g => g.First()))
        {
            while (true)
            {
                try
                {
                    await table.GetAsync(probe.HashKey, probe.SortKey, settings.OperationTimeout, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (PegasusException) when (Stopwatch.GetTimestamp() < deadline)
                {
                    // The replica opens the partition at its next beacon: poll interval of a bounded wait.
                    await Task.Delay(ProbeRetryDelay, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return table;
    }

    /// <summary>Waits (bounded by the recovery timeout) until every partition has a primary and all its secondaries.</summary>
    /// <param name="admin">An admin client.</param>
    /// <param name="settings">The run.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The table's health, healthy or as last seen.</returns>
    public static async Task<TableHealth> WaitForHealthAsync(PegasusAdminClient admin, ChaosSettings settings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        TableInfo? last = null;
        string? error = null;
        try
        {
            last = await admin.WaitForTableHealthyAsync(settings.Table, settings.RecoveryTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (PegasusException ex) when (!cancellationToken.IsCancellationRequested)
        {
            error = ex.Message;
            try
            {
                last = await admin.GetTableAsync(settings.Table, cancellationToken).ConfigureAwait(false);
            }
            catch (PegasusException again)
            {
                error += "; then: " + again.Message;
            }
        }

        var partitions = last?.Partitions
            .Select(p => new PartitionHealth(p.PartitionIndex, p.Ballot, string.IsNullOrEmpty(p.Primary) ? null : p.Primary, p.Secondaries.Count))
            .ToList() ?? [];
        return new TableHealth(last?.IsHealthy == true, Stopwatch.GetElapsedTime(started).TotalSeconds, partitions, last?.IsHealthy == true ? null : error);
    }

    private static void Overlay(Dictionary<string, string> configuration, IReadOnlyDictionary<string, string> settings)
    {
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }
    }
}
