using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.FailureDetection;
using Pegasus.Meta.Leadership;
using Pegasus.Meta.Options;
using Pegasus.Meta.State;
using Pegasus.Meta.Tables;

namespace Pegasus.Tests.Meta;

/// <summary>A meter factory for unit tests: plain meters, disposed with the factory.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose() => _meters.ForEach(meter => meter.Dispose());
}

/// <summary>Leadership a test controls: leader or standby, with or without a known leader.</summary>
internal sealed class TestLeadership : IMetaLeadership
{
    private CancellationTokenSource _term = new();
    private TaskCompletionSource<CancellationToken> _gained = NewGained();

    public bool IsLeader { get; private set; } = true;

    public MetaLeaderAddresses? Leader { get; private set; } = new("http://127.0.0.1:1001", "http://127.0.0.1:2001");

    public CancellationToken LeadershipToken => IsLeader ? _term.Token : new CancellationToken(canceled: true);

    public event EventHandler<MetaLeadershipChange>? LeadershipChanged;

    public void LoseTo(MetaLeaderAddresses? leader)
    {
        if (IsLeader)
        {
            _gained = NewGained();
        }

        IsLeader = false;
        Leader = leader;
        _term.Cancel();
        LeadershipChanged?.Invoke(this, new MetaLeadershipChange(false, leader));
    }

    public void Gain(MetaLeaderAddresses self)
    {
        _term = new CancellationTokenSource();
        IsLeader = true;
        Leader = self;
        _gained.TrySetResult(_term.Token);
        LeadershipChanged?.Invoke(this, new MetaLeadershipChange(true, self));
    }

    public ValueTask<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
        => IsLeader ? ValueTask.FromResult(_term.Token) : new(_gained.Task.WaitAsync(cancellationToken));

    private static TaskCompletionSource<CancellationToken> NewGained() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The meta server's table manager and node registry over a temporary embedded store and a fake clock.</summary>
internal sealed class MetaTestServices : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    public MetaTestServices(TimeSpan? gracePeriod = null)
    {
        Options = Microsoft.Extensions.Options.Options.Create(new MetaOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "pegasus-meta-test-" + Guid.NewGuid().ToString("N")),
            ReplicaGracePeriod = gracePeriod ?? TimeSpan.FromSeconds(10),
            AdvertisedGrpcAddress = "http://127.0.0.1:1001",
            AdvertisedHttpAddress = "http://127.0.0.1:2001",
        });
        Instruments = new MetaInstruments(_meters);
        Nodes = new NodeRegistry(Options, Time, Instruments, NullLogger<NodeRegistry>.Instance);
        Store = new EmbeddedMetaStateStore(Options.Value.DataDirectory, NullLogger<EmbeddedMetaStateStore>.Instance);
        Tables = NewTableManager(Store);
    }

    public IOptions<MetaOptions> Options { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public TestLeadership Leadership { get; } = new();

    public MetaInstruments Instruments { get; }

    public NodeRegistry Nodes { get; }

    public EmbeddedMetaStateStore Store { get; private set; }

    public TableManager Tables { get; private set; }

    /// <summary>Simulates a meta restart: a new store over the same directory and a new table manager.</summary>
    public async Task RestartAsync()
    {
        Store.Dispose();
        Store = new EmbeddedMetaStateStore(Options.Value.DataDirectory, NullLogger<EmbeddedMetaStateStore>.Instance);
        Tables = NewTableManager(Store);
        await Tables.LoadAsync(CancellationToken.None);
    }

    public void Beacon(params string[] nodes)
    {
        foreach (var node in nodes)
        {
            Nodes.RecordBeacon(node, reportedReplicaCount: 0);
        }
    }

    public void Dispose()
    {
        Store.Dispose();
        _meters.Dispose();
        if (Directory.Exists(Options.Value.DataDirectory))
        {
            Directory.Delete(Options.Value.DataDirectory, recursive: true);
        }
    }

    private TableManager NewTableManager(IMetaStateStore store)
        => new(store, Leadership, Nodes, Time, Instruments, NullLogger<TableManager>.Instance);
}
