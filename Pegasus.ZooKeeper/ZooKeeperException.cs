namespace Pegasus.ZooKeeper;

/// <summary>An error reported by ZooKeeper or by the client's session.</summary>
public class ZooKeeperException(string message, Exception? innerException = null) : Exception(message, innerException);
