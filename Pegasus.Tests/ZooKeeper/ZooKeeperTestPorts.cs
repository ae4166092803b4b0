using Pegasus.LocalCluster;

namespace Pegasus.Tests.ZooKeeper;

/// <summary>Picks free loopback TCP ports for ZooKeeper servers.</summary>
public static class ZooKeeperTestPorts
{
    /// <summary>
    /// Returns <paramref name="count"/> distinct ports that are free now, outside the OS's ephemeral
    /// range so no outgoing connection takes one before ZooKeeper binds it.
    /// </summary>
    public static int[] Allocate(int count) => LoopbackPortAllocator.Allocate(count);
}
