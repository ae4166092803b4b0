namespace Pegasus.LocalCluster;

/// <summary>How a <see cref="ProcessCluster"/> is started.</summary>
public sealed record ProcessClusterOptions
{
    /// <summary>Gets how many replica server processes run.</summary>
    /// <value>Defaults to 3.</value>
    public int ReplicaServers { get; init; } = 3;

    /// <summary>Gets configuration added to (or overriding) every meta server's, as <c>Key</c> (e.g. <c>Meta:ReplicaGracePeriod</c>) to value.</summary>
    /// <value>Empty by default.</value>
    public IReadOnlyDictionary<string, string> MetaSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets configuration added to (or overriding) every replica server's.</summary>
    /// <value>Empty by default (the cluster sets a 250 ms beacon interval, so new tables are served soon).</value>
    public IReadOnlyDictionary<string, string> ReplicaSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets environment variables of every server process (e.g. <c>DOTNET_gcServer=0</c>).</summary>
    /// <value>Empty by default.</value>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Gets a value indicating whether each replica server sits behind TCP proxies, so that its links can be cut:
    /// one in front of its data port (the address it advertises, which clients and peers use) and one in front of the
    /// meta server for its beacons.
    /// </summary>
    /// <value>Defaults to false.</value>
    public bool Proxies { get; init; }

    /// <summary>Gets a value indicating whether every server's output is written to <c>&lt;root&gt;/logs/&lt;name&gt;.log</c>.</summary>
    /// <value>Defaults to false.</value>
    public bool LogFiles { get; init; }

    /// <summary>Gets the bound of every wait for a server to start (or restart) and register.</summary>
    /// <value>Defaults to 90 seconds: generous, for a busy machine.</value>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Gets the prefix of the temporary root directory holding every server's data.</summary>
    /// <value>Defaults to <c>pegasus-cluster-</c>.</value>
    public string DirectoryPrefix { get; init; } = "pegasus-cluster-";

    /// <summary>Gets a value indicating whether the server logs (<see cref="LogFiles"/>) are kept when the cluster is disposed, even if the data is not.</summary>
    /// <value>Defaults to false. <see cref="ProcessCluster.KeepLogs"/> can change it while the cluster runs.</value>
    public bool KeepLogs { get; init; }

    /// <summary>Gets a value indicating whether the data (and logs) are kept when the cluster is disposed.</summary>
    /// <value>Defaults to false. <see cref="ProcessCluster.KeepData"/> can change it while the cluster runs.</value>
    public bool KeepData { get; init; }
}
