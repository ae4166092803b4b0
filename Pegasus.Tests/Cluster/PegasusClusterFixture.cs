using Pegasus.Client;

namespace Pegasus.Tests.Cluster;

/// <summary>
/// One <see cref="PegasusTestCluster"/> (1 meta + 3 replica servers) and one client shared by every data-API
/// test class of <see cref="PegasusClusterCollection"/>, so the processes start once. Each test creates its
/// own table (<see cref="CreateTableAsync"/>) and so owns its data.
/// </summary>
public sealed class PegasusClusterFixture : IAsyncLifetime
{
    private PegasusTestCluster? _cluster;

    /// <summary>Gets the running cluster.</summary>
    public PegasusTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster fixture is not initialized.");

    /// <summary>Gets the client every test of the collection shares.</summary>
    public PegasusClient Client => Cluster.Client;

    /// <summary>Creates a table named <paramref name="prefix"/> plus a unique suffix and waits until every partition is served.</summary>
    /// <param name="prefix">Names the test, for logs.</param>
    /// <param name="partitionCount">A power of two.</param>
    /// <returns>The opened table.</returns>
    public Task<PegasusTable> CreateTableAsync(string prefix, int partitionCount = 4)
        => Cluster.CreateTableAsync(UniqueTableName(prefix), partitionCount, TestContext.Current.CancellationToken);

    /// <summary>A table name no other test uses.</summary>
    /// <param name="prefix">Names the test.</param>
    /// <returns>The name.</returns>
    public static string UniqueTableName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 128)];

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _cluster = await PegasusTestCluster.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            // The cluster disposes its client too.
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>The test classes that share one <see cref="PegasusClusterFixture"/>; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PegasusClusterCollection : ICollectionFixture<PegasusClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Pegasus cluster";
}
