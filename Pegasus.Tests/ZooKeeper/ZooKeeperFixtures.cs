namespace Pegasus.Tests.ZooKeeper;

/// <summary>
/// A standalone ZooKeeper shared by one test class. When ZooKeeper is not installed the fixture
/// still initializes, and <see cref="Server"/> skips (or fails, with <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c>)
/// each test that asks for it.
/// </summary>
public sealed class ZooKeeperStandaloneFixture : IAsyncLifetime
{
    private ZooKeeperTestServer? _server;
    private string _unavailable = "not started";

    /// <summary>The running server.</summary>
    public ZooKeeperTestServer Server
    {
        get
        {
            if (_server is null)
            {
                ZooKeeperTestInstallation.FailOrSkip(_unavailable);
            }

            return _server!;
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        if (ZooKeeperTestInstallation.TryFind(out _unavailable) is null)
        {
            return;
        }

        _server = await ZooKeeperTestServer.StartStandaloneAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>A 3-member ZooKeeper ensemble shared by one test class (same skip rules as <see cref="ZooKeeperStandaloneFixture"/>).</summary>
public sealed class ZooKeeperEnsembleFixture : IAsyncLifetime
{
    private ZooKeeperTestEnsemble? _ensemble;
    private string _unavailable = "not started";

    /// <summary>The running ensemble.</summary>
    public ZooKeeperTestEnsemble Ensemble
    {
        get
        {
            if (_ensemble is null)
            {
                ZooKeeperTestInstallation.FailOrSkip(_unavailable);
            }

            return _ensemble!;
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        if (ZooKeeperTestInstallation.TryFind(out _unavailable) is null)
        {
            return;
        }

        _ensemble = await ZooKeeperTestEnsemble.StartAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ensemble is not null)
        {
            await _ensemble.DisposeAsync();
        }
    }
}

/// <summary>Test classes in this collection share one standalone server (and run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperStandaloneCollection : ICollectionFixture<ZooKeeperStandaloneFixture>
{
    /// <summary>The collection's name for <c>[Collection]</c>.</summary>
    public const string Name = "ZooKeeper standalone";
}
