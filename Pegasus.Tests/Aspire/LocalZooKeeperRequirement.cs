using Pegasus.AppHost.ZooKeeper;
using Pegasus.Tests.ZooKeeper;

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

        // The same switch as every other ZooKeeper test (ZooKeeperTestInstallation), but the lookup is
        // the AppHost's own: what matters here is whether the AppHost would find ZooKeeper.
        if (Environment.GetEnvironmentVariable(ZooKeeperTestInstallation.RequireVariable) == "1")
        {
            Assert.Fail($"{ZooKeeperTestInstallation.RequireVariable}=1 but the AppHost finds no local ZooKeeper: {reason}");
        }

        Assert.Skip($"No local ZooKeeper ({reason}); build/test.sh installs Debian's package when run as root.");
        return null!;
    }
}
