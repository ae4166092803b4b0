using Pegasus.Tests.ZooKeeper;

namespace Pegasus.Tests.MetaZooKeeper;

/// <summary>
/// The in-process meta-on-ZooKeeper tests share one standalone ZooKeeper server (the ZooKeeper client
/// tests' fixture); each test works under its own cluster root. Without ZooKeeper installed they skip,
/// or fail with <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MetaZooKeeperCollection : ICollectionFixture<ZooKeeperStandaloneFixture>
{
    /// <summary>The collection's name for <c>[Collection]</c>.</summary>
    public const string Name = "Meta on ZooKeeper";
}
