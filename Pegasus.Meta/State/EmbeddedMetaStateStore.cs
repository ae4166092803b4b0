using System.Text.Json;
using Microsoft.Extensions.Options;
using Pegasus.Meta.Diagnostics;
using Pegasus.Meta.Options;

namespace Pegasus.Meta.State;

/// <summary>
/// The state store of the embedded single-meta mode (Pegasus's "simple state service"): the whole
/// state is one JSON file, <c>&lt;Meta:DataDirectory&gt;/meta-state.json</c>, replaced atomically and
/// fsynced on every write, so an acknowledged write survives a crash or power loss. A lock file
/// keeps a second meta server off the same directory.
/// </summary>
/// <remarks>
/// The versions it keeps mirror ZooKeeper's znode versions (see <see cref="IMetaStateStore"/>), so the
/// meta server behaves the same on either store.
/// </remarks>
public sealed partial class EmbeddedMetaStateStore : IMetaStateStore, IDisposable
{
    /// <summary>The state file's name inside the data directory.</summary>
    public const string StateFileName = "meta-state.json";

    private const string LockFileName = "meta.lock";
    private const int FormatVersion = 1;

    private readonly string _directory;
    private readonly ILogger<EmbeddedMetaStateStore> _logger;

    // Serializes loads and writes: each write validates against, then replaces, the whole state.
    private readonly SemaphoreSlim _gate = new(1, 1);

    private FileStream? _lockFile;
    private State? _state;
    private bool _disposed;

    /// <summary>Creates a store over <see cref="MetaOptions.DataDirectory"/>.</summary>
    /// <param name="options">The meta options.</param>
    /// <param name="logger">The logger.</param>
    public EmbeddedMetaStateStore(IOptions<MetaOptions> options, ILogger<EmbeddedMetaStateStore> logger)
        : this(options.Value.DataDirectory, logger)
    {
    }

    /// <summary>Creates a store over a directory (created on first use).</summary>
    /// <param name="directory">The data directory.</param>
    /// <param name="logger">The logger.</param>
    public EmbeddedMetaStateStore(string directory, ILogger<EmbeddedMetaStateStore> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = Path.GetFullPath(directory);
        _logger = logger;
    }

    /// <summary>Gets the full path of the state file.</summary>
    public string StateFilePath => Path.Combine(_directory, StateFileName);

    /// <inheritdoc/>
    public async Task<MetaStateSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Always re-read the file: it, not memory, is the truth this method promises.
            _state = await ReadStateAsync(cancellationToken);
            return _state.ToSnapshot();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public Task<StoreWriteResult<CreatedTable>> CreateTableAsync(
        Versioned<int> nextAppId,
        TableRecord table,
        IReadOnlyList<PartitionConfigurationRecord> partitions,
        CancellationToken cancellationToken)
    {
        StateStoreWriteChecks.CreateTable(nextAppId, table, partitions);

        return WriteAsync(state =>
        {
            if (state.NextAppId.Version != nextAppId.Version || state.NextAppId.Value != nextAppId.Value)
            {
                return (StoreWriteResult<CreatedTable>.Failed(StoreWriteStatus.VersionConflict), null);
            }

            if (state.Tables.Values.Any(t => t.Table.Value.Status == TableStatus.Available && t.Table.Value.Name == table.Name))
            {
                return (StoreWriteResult<CreatedTable>.Failed(StoreWriteStatus.NameTaken), null);
            }

            var stored = new StoredTable(
                new Versioned<TableRecord>(table, 0),
                [.. partitions.Select(p => new Versioned<PartitionConfigurationRecord>(p, 0))]);
            var counter = new Versioned<int>(table.AppId + 1, nextAppId.Version + 1);
            var next = state.With(stored) with { NextAppId = counter };
            return (StoreWriteResult<CreatedTable>.Ok(new CreatedTable(stored, counter)), next);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<StoreWriteResult<Versioned<TableRecord>>> DropTableAsync(
        Versioned<TableRecord> table,
        DateTimeOffset droppedAt,
        CancellationToken cancellationToken)
        => UpdateTableAsync(table, record => record with { Status = TableStatus.Dropped, DroppedAt = droppedAt }, cancellationToken);

    /// <inheritdoc/>
    public Task<StoreWriteResult<Versioned<TableRecord>>> UpdateTableEnvsAsync(
        Versioned<TableRecord> table,
        IReadOnlyDictionary<string, string> envs,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envs);
        var copy = new Dictionary<string, string>(envs);
        return UpdateTableAsync(table, record => record with { Envs = copy }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<StoreWriteResult<Versioned<PartitionConfigurationRecord>>> UpdatePartitionAsync(
        int appId,
        Versioned<PartitionConfigurationRecord> current,
        PartitionConfigurationRecord updated,
        CancellationToken cancellationToken)
    {
        if (!StateStoreWriteChecks.UpdatePartition(current, updated))
        {
            return Task.FromResult(StoreWriteResult<Versioned<PartitionConfigurationRecord>>.Failed(StoreWriteStatus.StaleBallot));
        }

        return WriteAsync(state =>
        {
            if (!state.Tables.TryGetValue(appId, out var stored)
                || updated.PartitionIndex < 0
                || updated.PartitionIndex >= stored.Partitions.Count)
            {
                return (StoreWriteResult<Versioned<PartitionConfigurationRecord>>.Failed(StoreWriteStatus.NotFound), null);
            }

            if (stored.Partitions[updated.PartitionIndex].Version != current.Version)
            {
                return (StoreWriteResult<Versioned<PartitionConfigurationRecord>>.Failed(StoreWriteStatus.VersionConflict), null);
            }

            var written = new Versioned<PartitionConfigurationRecord>(updated, current.Version + 1);
            var partitions = stored.Partitions.ToArray();
            partitions[updated.PartitionIndex] = written;
            var next = state.With(stored with { Partitions = partitions });
            return (StoreWriteResult<Versioned<PartitionConfigurationRecord>>.Ok(written), next);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _lockFile?.Dispose();
        _gate.Dispose();
    }

    private Task<StoreWriteResult<Versioned<TableRecord>>> UpdateTableAsync(
        Versioned<TableRecord> table,
        Func<TableRecord, TableRecord> update,
        CancellationToken cancellationToken)
        => WriteAsync(state =>
        {
            if (!state.Tables.TryGetValue(table.Value.AppId, out var stored))
            {
                return (StoreWriteResult<Versioned<TableRecord>>.Failed(StoreWriteStatus.NotFound), null);
            }

            if (stored.Table.Version != table.Version)
            {
                return (StoreWriteResult<Versioned<TableRecord>>.Failed(StoreWriteStatus.VersionConflict), null);
            }

            var written = new Versioned<TableRecord>(update(stored.Table.Value), table.Version + 1);
            return (StoreWriteResult<Versioned<TableRecord>>.Ok(written), state.With(stored with { Table = written }));
        }, cancellationToken);

    /// <summary>Validates against the current state and, if the write applies, persists the next state before adopting it.</summary>
    private async Task<StoreWriteResult<T>> WriteAsync<T>(
        Func<State, (StoreWriteResult<T> Result, State? Next)> apply,
        CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _state ??= await ReadStateAsync(cancellationToken);
            var (result, next) = apply(_state);
            if (next is null)
            {
                return result;
            }

            var file = new EmbeddedStateFile(FormatVersion, next.NextAppId, [.. next.Tables.Values]);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(file, EmbeddedStateJsonContext.Default.EmbeddedStateFile);
            await DurableFile.ReplaceAsync(StateFilePath, bytes, cancellationToken);

            // Adopted only once durable: a failed write leaves memory matching the file.
            _state = next;
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<State> ReadStateAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        AcquireDirectoryLock();

        // A leftover temporary file is a write that crashed before its rename: it was never acknowledged.
        var temporary = StateFilePath + DurableFile.TemporarySuffix;
        if (File.Exists(temporary))
        {
            File.Delete(temporary);
        }

        if (!File.Exists(StateFilePath))
        {
            LogEmptyState(_logger, _directory);
            return State.Empty;
        }

        EmbeddedStateFile? file;
        try
        {
            await using var stream = File.OpenRead(StateFilePath);
            file = await JsonSerializer.DeserializeAsync(stream, EmbeddedStateJsonContext.Default.EmbeddedStateFile, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"The meta state file '{StateFilePath}' is not valid JSON: {exception.Message}", exception);
        }

        if (file is null || file.FormatVersion != FormatVersion)
        {
            throw new InvalidDataException(
                $"The meta state file '{StateFilePath}' has format {file?.FormatVersion.ToString() ?? "null"}; this server reads format {FormatVersion}.");
        }

        var state = new State(file.NextAppId, new SortedDictionary<int, StoredTable>(file.Tables.ToDictionary(t => t.Table.Value.AppId)));
        LogLoaded(_logger, state.Tables.Count, state.NextAppId.Value, StateFilePath);
        return state;
    }

    private void AcquireDirectoryLock()
    {
        if (_lockFile is not null)
        {
            return;
        }

        Directory.CreateDirectory(_directory);
        try
        {
            // FileShare.None takes an exclusive advisory lock on Unix: two meta servers on one
            // directory would overwrite each other's state, so the second one fails here.
            _lockFile = new FileStream(Path.Combine(_directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception)
        {
            throw new IOException($"The meta data directory '{_directory}' is in use by another meta server.", exception);
        }
    }

    [LoggerMessage(EventId = (int)MetaEventIds.EmbeddedStateEmpty, Level = LogLevel.Information, Message = "No meta state in {Directory} yet; starting empty")]
    private static partial void LogEmptyState(ILogger logger, string directory);

    [LoggerMessage(EventId = (int)MetaEventIds.EmbeddedStateRead, Level = LogLevel.Information, Message = "Loaded meta state: {TableCount} tables, next app id {NextAppId}, from {Path}")]
    private static partial void LogLoaded(ILogger logger, int tableCount, int nextAppId, string path);

    /// <summary>An immutable state: writes build a new one, so a failed persist leaves the old one untouched.</summary>
    private sealed record State(Versioned<int> NextAppId, SortedDictionary<int, StoredTable> Tables)
    {
        public static State Empty { get; } = new(new Versioned<int>(1, 0), []);

        public State With(StoredTable table)
            => this with { Tables = new SortedDictionary<int, StoredTable>(Tables) { [table.Table.Value.AppId] = table } };

        public MetaStateSnapshot ToSnapshot() => new(NextAppId, [.. Tables.Values]);
    }
}
