using Pegasus.AppHost.ZooKeeper;

namespace Pegasus.Tests.Aspire;

/// <summary>
/// Tests that run a local ZooKeeper skip when none is installed, unless
/// <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c> (CI), where a missing install is a failure.
/// </summary>
internal static class LocalZooKeeperRequirement
{
    public static ZooKeeperInstallation Ensure()
    {
        var installation = ZooKeeperInstallation.Locate(javaPath: null, installPath: null, classPath: null, out var reason);
        if (installation is not null)
        {
            return installation;
        }

        if (Environment.GetEnvironmentVariable("PEGASUS_REQUIRE_ZOOKEEPER") == "1")
        {
            Assert.Fail($"PEGASUS_REQUIRE_ZOOKEEPER=1 but no local ZooKeeper: {reason}");
        }

        Assert.Skip($"No local ZooKeeper ({reason}); build/test.sh installs Debian's package when run as root.");
        return null!;
    }
}
