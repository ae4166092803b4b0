using System.Globalization;

namespace Pegasus.LocalCluster;

/// <summary>One replica server of a <see cref="ProcessCluster"/>: its process, ports, data directory and proxies.</summary>
public sealed class ReplicaServerNode
{
    internal ReplicaServerNode(int index, int grpcPort, int httpPort, string dataDirectory, TcpProxy? dataProxy, TcpProxy? metaProxy)
    {
        Index = index;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        DataDirectory = dataDirectory;
        DataProxy = dataProxy;
        MetaProxy = metaProxy;
    }

    /// <summary>Gets the server's index in <see cref="ProcessCluster.Replicas"/>.</summary>
    public int Index { get; }

    /// <summary>Gets the name used in messages and log files, <c>replica-&lt;index&gt;</c>.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"replica-{Index}");

    /// <summary>Gets the port the server's gRPC (data) listener binds.</summary>
    public int GrpcPort { get; }

    /// <summary>Gets the port of the server's HTTP listener (<c>/health</c>, <c>/alive</c>).</summary>
    public int HttpPort { get; }

    /// <summary>Gets the server's data directory, kept across restarts.</summary>
    public string DataDirectory { get; }

    /// <summary>
    /// Gets the address the server advertises, its identity in the cluster (in routing tables and the admin API):
    /// <see cref="DataProxy"/>'s address when proxied, else its own gRPC address.
    /// </summary>
    public string Address => DataProxy?.Address ?? DirectAddress;

    /// <summary>Gets the server's own gRPC address, bypassing any proxy.</summary>
    public string DirectAddress => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{GrpcPort}");

    /// <summary>Gets the server's HTTP address.</summary>
    public string HttpAddress => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{HttpPort}");

    /// <summary>Gets the proxy in front of the data port, or null without proxies.</summary>
    public TcpProxy? DataProxy { get; }

    /// <summary>Gets the proxy the server reaches the meta server through, or null without proxies.</summary>
    public TcpProxy? MetaProxy { get; }

    /// <summary>Gets the process (set once the cluster launched it).</summary>
    public LocalServerProcess Process { get; internal set; } = null!;

    /// <summary>Gets a value indicating whether the server's links are cut.</summary>
    public bool IsIsolated => DataProxy?.Fault is not null || MetaProxy?.Fault is not null;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Address})";
}
