using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Hosting;
using Pegasus.Replica.Replication;
using Pegasus.Replica.Storage;
using static Pegasus.Tests.Replica.ReplicaTestWaits;

namespace Pegasus.Tests.Replica;

/// <summary>
/// A <see cref="ReplicaManager"/> over a fresh temporary data directory, with real metrics, for the
/// in-process replica tests. Disposing stops the manager and deletes the directory.
/// </summary>
internal sealed class ReplicaManagerTestContext : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    /// <summary>Creates the manager (not started).</summary>
    /// <param name="directoryName">The folder under the temp directory that groups this test class's data.</param>
    /// <param name="advertisedAddress">The node's address (<see cref="ReplicaOptions.AdvertisedAddress"/>); empty = unset.</param>
    /// <param name="timeProvider">The manager's clock; the system clock when null.</param>
    /// <param name="configure">Changes the replica options.</param>
    public ReplicaManagerTestContext(
        string directoryName, string advertisedAddress = "", TimeProvider? timeProvider = null, Action<ReplicaOptions>? configure = null)
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), directoryName, Guid.NewGuid().ToString("N"));
        var replicaOptions = new ReplicaOptions { DataDirectory = DataDirectory, AdvertisedAddress = advertisedAddress };
        configure?.Invoke(replicaOptions);
        Options = Microsoft.Extensions.Options.Options.Create(replicaOptions);
        Instruments = new ReplicaInstruments(_services.GetRequiredService<IMeterFactory>());
        Manager = new ReplicaManager(
            Options,
            Microsoft.Extensions.Options.Options.Create(new StorageOptions()),
            timeProvider ?? TimeProvider.System,
            Instruments,
            new Pegasus.Replica.Replication.Peers.PeerStreamPool(TimeSpan.FromSeconds(1), NullLogger<Pegasus.Replica.Replication.Peers.PeerStreamPool>.Instance),
            NoProposals.Instance,
            NullLoggerFactory.Instance);
    }

    /// <summary>Gets the data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>Gets the replica options the manager runs with.</summary>
    public IOptions<ReplicaOptions> Options { get; }

    /// <summary>Gets the replica metrics.</summary>
    public ReplicaInstruments Instruments { get; }

    /// <summary>Gets the manager.</summary>
    public ReplicaManager Manager { get; }

    /// <summary>Waits until the manager serves replica <paramref name="appId"/>.<paramref name="partitionIndex"/>.</summary>
    /// <param name="appId">The table id.</param>
    /// <param name="partitionIndex">The partition index.</param>
    /// <returns>The serving replica.</returns>
    public async Task<PartitionReplica> WaitServingAsync(int appId, int partitionIndex)
    {
        PartitionReplica? replica = null;
        await WaitUntilAsync(() => Manager.TryGetReplica(appId, partitionIndex, out replica) && replica.Status == ReplicaStatus.Serving);
        return replica!;
    }

    /// <summary>Stops the manager, then deletes the data directory.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        await Manager.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
