using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pegasus.Replica.Replication;
using Pegasus.Replica.Replication.Log;
using Pegasus.Replica.Storage;

namespace Pegasus.Tests.Replica;

/// <summary>
/// One partition replica for the in-process replication tests: a real store and mutation log in a directory of its own,
/// a write pipeline on them, and a <see cref="RecordingReplicationHost"/> whose configuration the test sets. Disposing
/// closes all three and deletes the directory.
/// </summary>
internal sealed class HostedPipeline : IAsyncDisposable
{
    /// <summary>Opens the replica.</summary>
    /// <param name="directory">Its directory (created).</param>
    /// <param name="self">Its address.</param>
    /// <param name="config">The configuration it starts with.</param>
    /// <param name="time">The clock of store, log and pipeline.</param>
    public HostedPipeline(string directory, string self, PartitionConfig config, FakeTimeProvider time)
    {
        Directory = directory;
        Host = new RecordingReplicationHost(self) { Config = config };
        Store = PartitionStore.Open(directory, 3, 0, 1, new StorageOptions(), time, NullLogger.Instance);
        Log = MutationLog.Open(Path.Combine(directory, "plog"), new MutationLogOptions(), time, NullLogger.Instance);
        Pipeline = new ReplicaWritePipeline(Store, Log, Host, WritePipelineSettings.Default, time, null, NullLogger.Instance);
    }

    public string Directory { get; }

    public RecordingReplicationHost Host { get; }

    public PartitionStore Store { get; }

    public MutationLog Log { get; }

    public ReplicaWritePipeline Pipeline { get; }

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        Log.Dispose();
        Store.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
