using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Replication;
using Pegasus.Replica.Replication.Log;
using Pegasus.Replica.Storage;

namespace Pegasus.Tests.Replica;

/// <summary>
/// A real partition store (RocksDB in a temporary directory, one partition) with a write pipeline
/// on top, a fake clock, and a ballot the test controls. Disposing closes both and deletes the directory.
/// </summary>
internal sealed class PipelineTestContext : IAsyncDisposable
{
    public const int AppId = 3;

    private readonly WritePipelineSettings _settings;

    private readonly ReplicaInstruments? _instruments;

    public PipelineTestContext(WritePipelineSettings? settings = null, Func<long>? ballot = null, ReplicaInstruments? instruments = null)
    {
        _settings = settings ?? WritePipelineSettings.Default;
        _instruments = instruments;
        BallotSource = ballot ?? (() => Ballot);
        Store = OpenStore();
        Pipeline = CreatePipeline();
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "pegasus-pipeline-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Starts well after the Pegasus epoch (2016), so expire times are meaningful.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public long Ballot { get; set; } = 1;

    public Func<long> BallotSource { get; }

    public PartitionStore Store { get; private set; }

    public ReplicaWritePipeline Pipeline { get; private set; }

    /// <summary>Closes pipeline and store and opens both again on the same directory (a restart).</summary>
    public async Task ReopenAsync()
    {
        await Pipeline.DisposeAsync();
        Log.Dispose();
        Store.Dispose();
        Store = OpenStore();
        Pipeline = CreatePipeline();
    }

    public MutationLog Log { get; private set; } = null!;

    public string? Value(string hashKey, string sortKey)
    {
        var response = new DataResponse();
        Store.ExecuteRead(ReplicaTestRequests.Get(hashKey, sortKey), response);
        if (response.Error == ErrorCode.NotFound)
        {
            return null;
        }

        Assert.Equal(ErrorCode.Ok, response.Error);
        return response.Get.Value.ToStringUtf8();
    }

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        Log.Dispose();
        Store.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private PartitionStore OpenStore() =>
        PartitionStore.Open(Directory, AppId, 0, 1, new StorageOptions(), Time, NullLogger.Instance);

    private ReplicaWritePipeline CreatePipeline()
    {
        Log = MutationLog.Open(Path.Combine(Directory, "plog"), new MutationLogOptions(), Time, NullLogger.Instance);
        return new(Store, Log, new LonePrimaryHost(BallotSource), _settings, Time, _instruments, NullLogger.Instance);
    }

    /// <summary>A replica that is primary of a configuration of one (no secondaries): it commits what it logs.</summary>
    private sealed class LonePrimaryHost(Func<long> ballot) : IReplicationHost
    {
        public PartitionConfig Config => new(ballot(), Pegasus.Protocol.Meta.ReplicaRole.Primary, Self, [], []);

        public string Self => "http://127.0.0.1:1";

        public void SendPrepare(string target, Pegasus.Protocol.Replication.PrepareMessage message) =>
            throw new InvalidOperationException("a configuration of one has nobody to prepare to");

        public void ReportUnresponsive(string node, long ballot, string reason) =>
            throw new InvalidOperationException("a configuration of one has no members to report");

        public void AdoptBallot(long ballot, string primary) =>
            throw new InvalidOperationException("a lone primary receives no prepares");
    }
}
