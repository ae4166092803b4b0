using System.Net;
using System.Net.Sockets;
using Pegasus.Client;
using Pegasus.Client.Routing;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Meta;

namespace Pegasus.Tests.Client;

/// <summary>Clients and tables that point at nothing: a validation error must come before any network use.</summary>
internal static class ClientTestSupport
{
    /// <summary>An address on which nothing listens (a port bound then released), so connecting is refused.</summary>
    public static string UnreachableAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public static PegasusClient UnreachableClient(TimeSpan? defaultTimeout = null, TimeProvider? timeProvider = null) => new(new PegasusClientOptions
    {
        MetaServers = [UnreachableAddress()],
        MetaAdminAddresses = [UnreachableAddress()],
        DefaultTimeout = defaultTimeout ?? TimeSpan.FromSeconds(5),
        AdminTimeout = defaultTimeout ?? TimeSpan.FromSeconds(5),
        TimeProvider = timeProvider ?? TimeProvider.System,
    });

    /// <summary>A table of <paramref name="partitionCount"/> partitions whose primaries are all unreachable.</summary>
    public static PegasusTable UnreachableTable(PegasusClient client, int partitionCount = 4)
    {
        var primary = UnreachableAddress();
        var partitions = Enumerable.Range(0, partitionCount)
            .Select(i => new PartitionConfiguration { PartitionIndex = i, Ballot = 1, Primary = primary });
        return client.CreateTableForTesting(new TableRouting("t", 1, partitionCount, partitions));
    }

    /// <summary>
    /// A client whose replica servers are <see cref="FakeExchangeClient"/>s (one per address, all answering with
    /// <paramref name="handler"/>) and a table of <paramref name="partitionCount"/> partitions spread over two of
    /// them; the meta server is unreachable, so routing refreshes fail and the routing stays as given.
    /// </summary>
    public static (PegasusClient Client, PegasusTable Table, IReadOnlyDictionary<string, FakeExchangeClient> Replicas) FakeCluster(
        Func<DataRequest, DataResponse?> handler, int partitionCount = 4, TimeProvider? timeProvider = null, bool withPrimaries = true,
        Action<PegasusClientOptions>? configure = null)
    {
        var replicas = new System.Collections.Concurrent.ConcurrentDictionary<string, FakeExchangeClient>();
        var options = new PegasusClientOptions
        {
            MetaServers = [UnreachableAddress()],
            TimeProvider = timeProvider ?? TimeProvider.System,
            RetryInitialBackoff = TimeSpan.FromMilliseconds(1),
        };
        configure?.Invoke(options);
        var client = new PegasusClient(
            options,
            address => replicas.GetOrAdd(address, _ => new FakeExchangeClient { Handler = handler }));
        var partitions = Enumerable.Range(0, partitionCount).Select(i => new PartitionConfiguration
        {
            PartitionIndex = i,
            Ballot = 1,
            Primary = withPrimaries ? $"http://replica{i % 2}" : "",
        });
        return (client, client.CreateTableForTesting(new TableRouting("t", 7, partitionCount, partitions)), replicas);
    }
}
