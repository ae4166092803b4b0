using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.Options;
using Pegasus.Meta.ZooKeeper;
using Pegasus.ZooKeeper;

namespace Pegasus.Meta.State.ZooKeeper;

/// <summary>
/// The cluster metadata in ZooKeeper, under the cluster root <c>/pegasus/&lt;cluster&gt;</c>, with the
/// layout documented on <see cref="IMetaStateStore"/>. Versions are znode data versions and every
/// write is one <c>multi</c> whose version checks make it compare-and-set; with a
/// <see cref="IZooKeeperWriteFence"/> the transaction also checks the leader's election node, so a
/// deposed leader cannot write at all. The root nodes are created on first use.
/// </summary>
/// <remarks>
/// <para>Layout under the cluster root (JSON data, camelCase):</para>
/// <code>
/// next_app_id              {"nextAppId":3}
/// apps/&lt;appId&gt;             TableRecord
/// apps/&lt;appId&gt;/&lt;index&gt;     PartitionConfigurationRecord
/// names/&lt;name&gt;            {"appId":2}   while the table is available
/// leader/meta-&lt;id&gt;-&lt;seq&gt;   the election (see ZooKeeperLeadership), not written here
/// </code>
/// <para>
/// Table names may be <c>.</c> or <c>..</c>, which are not valid znode names: those two are stored
/// percent-encoded (<c>%2E</c>, <c>%2E%2E</c>); no table name contains <c>%</c>, so this cannot collide.
/// </para>
/// </remarks>
public sealed partial class ZooKeeperMetaStateStore : IMetaStateStore
{
    private readonly MetaZooKeeperConnection _connection;
    private readonly IZooKeeperWriteFence? _fence;
    private readonly ILogger<ZooKeeperMetaStateStore> _logger;
    private readonly string _nextAppIdPath;
    private readonly string _appsPath;
    private readonly string _namesPath;

    /// <summary>Creates the store of the cluster named by <see cref="MetaOptions.ClusterName"/>, fenced by this meta server's leadership.</summary>
    /// <param name="connection">The meta server's ZooKeeper session.</param>
    /// <param name="options">The meta options (cluster name).</param>
    /// <param name="fence">The leadership whose election node every write checks.</param>
    /// <param name="logger">The logger.</param>
    public ZooKeeperMetaStateStore(
        MetaZooKeeperConnection connection,
        IOptions<MetaOptions> options,
        IZooKeeperWriteFence fence,
        ILogger<ZooKeeperMetaStateStore> logger)
        : this(connection, ZooKeeperCoordinationOptions.ClusterRoot(options.Value.ClusterName), fence, logger)
    {
    }

    /// <summary>Creates a store under an explicit cluster root.</summary>
    /// <param name="connection">The ZooKeeper session.</param>
    /// <param name="clusterRoot">The cluster root, e.g. <c>/pegasus/mycluster</c>; created on first use.</param>
    /// <param name="fence">Checked by every write; null for no leadership check (tools, tests).</param>
    /// <param name="logger">The logger.</param>
    public ZooKeeperMetaStateStore(
        MetaZooKeeperConnection connection,
        string clusterRoot,
        IZooKeeperWriteFence? fence,
        ILogger<ZooKeeperMetaStateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterRoot);
        if (clusterRoot[0] != '/' || clusterRoot.EndsWith('/'))
        {
            throw new ArgumentException($"The cluster root must be an absolute znode path (was '{clusterRoot}').", nameof(clusterRoot));
        }

        _connection = connection;
        _fence = fence;
        _logger = logger;
        ClusterRoot = clusterRoot;
        _nextAppIdPath = clusterRoot + "/next_app_id";
        _appsPath = clusterRoot + "/apps";
        _namesPath = clusterRoot + "/names";
    }

    /// <summary>Gets the cluster root, <c>/pegasus/&lt;cluster&gt;</c>.</summary>
    public string ClusterRoot { get; }

    /// <summary>The znode of a table name (see the remarks for <c>.</c> and <c>..</c>).</summary>
    /// <param name="name">The table name.</param>
    /// <returns>The znode name.</returns>
    public static string EncodeName(string name) => name switch
    {
        "." => "%2E",
        ".." => "%2E%2E",
        _ => name,
    };

    /// <inheritdoc/>
    public async Task<MetaStateSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var client = await _connection.GetClientAsync(cancellationToken);
        await EnsureInitializedAsync(client, cancellationToken);

        var counterNode = await client.GetDataAsync(_nextAppIdPath, cancellationToken: cancellationToken);
        var counter = new Versioned<int>(Read(counterNode.Data, ZooKeeperStateJsonContext.Default.NextAppIdNode, _nextAppIdPath).NextAppId, counterNode.Stat.Version);

        var apps = await client.GetChildrenAsync(_appsPath, cancellationToken: cancellationToken);
        var ids = apps.Children.Select(child => ParseIndex(child, _appsPath)).Order().ToArray();
        var tables = await Task.WhenAll(ids.Select(id => LoadTableAsync(client, id, cancellationToken)));

        LogLoaded(_logger, tables.Length, counter.Value, ClusterRoot);
        return new MetaStateSnapshot(counter, tables);
    }

    private async Task<StoredTable> LoadTableAsync(ZooKeeperClient client, int appId, CancellationToken cancellationToken)
    {
        var path = AppPath(appId);
        var tableNode = await client.GetDataAsync(path, cancellationToken: cancellationToken);
        var table = Read(tableNode.Data, ZooKeeperStateJsonContext.Default.TableRecord, path);
        if (table.AppId != appId)
        {
            throw new InvalidDataException($"The table at '{path}' says its app id is {table.AppId}.");
        }

        var children = await client.GetChildrenAsync(path, cancellationToken: cancellationToken);
        var indexes = children.Children.Select(child => ParseIndex(child, path)).Order().ToArray();
        if (indexes.Length != table.PartitionCount || indexes.Where((index, position) => index != position).Any())
        {
            throw new InvalidDataException(
                $"The table at '{path}' has {table.PartitionCount} partitions, but its partition nodes are [{string.Join(',', indexes)}].");
        }

        var partitions = await Task.WhenAll(indexes.Select(async index =>
        {
            var partitionPath = PartitionPath(appId, index);
            var node = await client.GetDataAsync(partitionPath, cancellationToken: cancellationToken);
            var partition = Read(node.Data, ZooKeeperStateJsonContext.Default.PartitionConfigurationRecord, partitionPath);
            return partition.PartitionIndex == index
                ? new Versioned<PartitionConfigurationRecord>(partition, node.Stat.Version)
                : throw new InvalidDataException($"The partition at '{partitionPath}' says its index is {partition.PartitionIndex}.");
        }));

        return new StoredTable(new Versioned<TableRecord>(table, tableNode.Stat.Version), partitions);
    }

    /// <summary>Creates the root nodes if missing; <c>next_app_id</c> comes last, so its presence means all exist.</summary>
    private async Task EnsureInitializedAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        if (await client.ExistsAsync(_nextAppIdPath, cancellationToken: cancellationToken) is not null)
        {
            return;
        }

        // Each create tolerates a concurrent meta server (or an earlier, interrupted attempt) having made it.
        await client.CreatePersistentPathAsync(ClusterRoot, cancellationToken);
        await CreateIfMissingAsync(client, _appsPath, [], cancellationToken);
        await CreateIfMissingAsync(client, _namesPath, [], cancellationToken);
        var created = await CreateIfMissingAsync(client, _nextAppIdPath, Write(new NextAppIdNode(1), ZooKeeperStateJsonContext.Default.NextAppIdNode), cancellationToken);
        if (created)
        {
            LogInitialized(_logger, ClusterRoot);
        }
    }

    private static async Task<bool> CreateIfMissingAsync(ZooKeeperClient client, string path, byte[] data, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateAsync(path, data, CreateMode.Persistent, cancellationToken);
            return true;
        }
        catch (NodeExistsException)
        {
            return false;
        }
    }

    private string AppPath(int appId) => _appsPath + "/" + appId.ToString(CultureInfo.InvariantCulture);

    private string PartitionPath(int appId, int index) => AppPath(appId) + "/" + index.ToString(CultureInfo.InvariantCulture);

    private string NamePath(string name) => _namesPath + "/" + EncodeName(name);

    private static int ParseIndex(string child, string parent)
        => int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"Unexpected node '{child}' under '{parent}': only numeric ids belong there.");

    private static T Read<T>(ReadOnlyMemory<byte> data, JsonTypeInfo<T> type, string path)
    {
        try
        {
            return JsonSerializer.Deserialize(data.Span, type) ?? throw new InvalidDataException($"The node '{path}' holds JSON null.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"The node '{path}' does not hold a valid {typeof(T).Name}: {exception.Message}", exception);
        }
    }

    private static byte[] Write<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    [LoggerMessage(EventId = (int)MetaEventIds.ZooKeeperStateInitialized, Level = LogLevel.Information, Message = "Created the cluster state nodes under {Root}")]
    private static partial void LogInitialized(ILogger logger, string root);

    [LoggerMessage(EventId = (int)MetaEventIds.ZooKeeperStateRead, Level = LogLevel.Information, Message = "Loaded meta state: {TableCount} tables, next app id {NextAppId}, from ZooKeeper {Root}")]
    private static partial void LogLoaded(ILogger logger, int tableCount, int nextAppId, string root);

    [LoggerMessage(EventId = (int)MetaEventIds.ZooKeeperWriteFenced, Level = LogLevel.Warning, Message = "Refused a {Operation} of the meta state: {Reason}")]
    private static partial void LogFenced(ILogger logger, string operation, string reason);
}
