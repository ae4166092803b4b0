namespace Pegasus.AppHost.ZooKeeper;

/// <summary>The official ZooKeeper image (Docker Hub library image).</summary>
internal static class ZooKeeperContainerImageTags
{
    public const string Registry = "docker.io";

    public const string Image = "library/zookeeper";

    /// <summary>3.8 is the LTS line, and the one Debian 12 packages for the local mode.</summary>
    public const string Tag = "3.8";
}
