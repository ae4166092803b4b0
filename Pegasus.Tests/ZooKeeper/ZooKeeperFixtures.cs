namespace Pegasus.Tests.ZooKeeper;

/// <summary>
/// A ZooKeeper deployment (<typeparamref name="T"/>) shared by one test class. When ZooKeeper is not
/// installed the fixture still initializes, and <see cref="Started"/> skips (or fails, with
/// <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c>) each test that asks for it.
/// </summary>
/// <typeparam name="T">The server or ensemble.</typeparam>
public abstract class ZooKeeperFixture<T> : IAsyncLifetime
    where T : class, IAsyncDisposable
{
    private T? _started;
    private string _unavailable = "not started";

    /// <summary>Gets the running deployment.</summary>
    protected T Started
    {
        get
        {
            if (_started is null)
            {
                ZooKeeperTestInstallation.FailOrSkip(_unavailable);
            }

            return _started!;
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        if (ZooKeeperTestInstallation.TryFind(out _unavailable) is null)
        {
            return;
        }

        _started = await StartAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_started is not null)
        {
            await _started.DisposeAsync();
        }
    }

    /// <summary>Starts the deployment (ZooKeeper is installed).</summary>
    /// <returns>The running deployment.</returns>
    protected abstract Task<T> StartAsync();
}

/// <summary>A standalone ZooKeeper shared by one test class (see <see cref="ZooKeeperFixture{T}"/> for the skip rules).</summary>
public sealed class ZooKeeperStandaloneFixture : ZooKeeperFixture<ZooKeeperTestServer>
{
    /// <summary>Gets the running server.</summary>
    public ZooKeeperTestServer Server => Started;

    /// <inheritdoc />
    protected override Task<ZooKeeperTestServer> StartAsync() => ZooKeeperTestServer.StartStandaloneAsync();
}

/// <summary>A 3-member ZooKeeper ensemble shared by one test class (same skip rules as <see cref="ZooKeeperStandaloneFixture"/>).</summary>
public sealed class ZooKeeperEnsembleFixture : ZooKeeperFixture<ZooKeeperTestEnsemble>
{
    /// <summary>Gets the running ensemble.</summary>
    public ZooKeeperTestEnsemble Ensemble => Started;

    /// <inheritdoc />
    protected override Task<ZooKeeperTestEnsemble> StartAsync() => ZooKeeperTestEnsemble.StartAsync();
}

/// <summary>Test classes in this collection share one standalone server (and run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperStandaloneCollection : ICollectionFixture<ZooKeeperStandaloneFixture>
{
    /// <summary>The collection's name for <c>[Collection]</c>.</summary>
    public const string Name = "ZooKeeper standalone";
}
