using System.Buffers.Binary;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Time;
using RocksDbSharp;

namespace Pegasus.Replica.Storage;

/// <summary>
/// The storage engine of one partition replica: a RocksDB instance holding the partition's
/// records (column family "default", Pegasus key and value layout) and the last applied decree
/// (column family "meta", written in the same batch as the data so the two never disagree).
/// </summary>
/// <remarks>
/// Reads (<see cref="ExecuteRead"/>) are thread-safe and run concurrently with writes. Writes
/// (<see cref="ApplyWrite"/>, <see cref="ApplyEmptyWrite"/>) and <see cref="SweepExpired"/>
/// must come from one writer at a time: read-modify-write operations (incr, check-and-set) rely
/// on no other write landing between their read and their commit.
/// </remarks>
public sealed partial class PartitionStore : IDisposable
{
    private const string MetaColumnFamilyName = "meta";

    // Meta column family keys. The identity keys catch a data directory handed to the wrong
    // partition, which would otherwise serve another partition's data silently.
    private static readonly byte[] LastAppliedDecreeKey = "pegasus.last_applied_decree"u8.ToArray();
    private static readonly byte[] DataVersionKey = "pegasus.data_version"u8.ToArray();
    private static readonly byte[] AppIdKey = "pegasus.app_id"u8.ToArray();
    private static readonly byte[] PartitionIndexKey = "pegasus.partition_index"u8.ToArray();

    /// <summary>Pegasus data version 0: 4-byte expire time + user data.</summary>
    private const int DataVersion = 0;

    private readonly RocksDb _db;
    private readonly ExpiredRecordCompactionFilter _compactionFilter;
    private readonly ColumnFamilyHandle _dataCf;
    private readonly ColumnFamilyHandle _metaCf;
    private readonly WriteOptions _writeOptions;
    private readonly OwnedReadOptions _pointReadOptions;

    // Reused by the single writer; cleared after every use.
    private readonly WriteBatch _writeBatch = new();
    private readonly StorageOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ScanContextTable _scanContexts;
    private readonly ITimer _scanContextReaper;
    private readonly OperationGate _gate = new();
    private long _lastAppliedDecree;

    // Where the next SweepExpired call resumes; null = the start of the partition.
    private byte[]? _sweepCursor;
    private int _disposed;

    private PartitionStore(RocksDb db, ExpiredRecordCompactionFilter compactionFilter, int appId, int partitionIndex, int partitionCount, long lastAppliedDecree,
        StorageOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _db = db;
        _compactionFilter = compactionFilter;
        _dataCf = db.GetDefaultColumnFamily();
        _metaCf = db.GetColumnFamily(MetaColumnFamilyName);
        AppId = appId;
        PartitionIndex = partitionIndex;
        PartitionCount = partitionCount;
        _lastAppliedDecree = lastAppliedDecree;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _writeOptions = new WriteOptions().SetSync(options.Fsync);
        _pointReadOptions = new OwnedReadOptions();
        _scanContexts = new ScanContextTable(timeProvider, options.ScanContextTimeout, options.MaxScanContexts);

        // Reap idle scan contexts even when no request arrives, so their iterators do not pin
        // memtables and files for longer than the timeout (plus at most one period).
        var reapPeriod = options.ScanContextTimeout < TimeSpan.FromSeconds(30) ? options.ScanContextTimeout : TimeSpan.FromSeconds(30);
        _scanContextReaper = timeProvider.CreateTimer(_ => ReapScanContexts(), null, reapPeriod, reapPeriod);
    }

    public int AppId { get; }

    public int PartitionIndex { get; }

    public int PartitionCount { get; }

    /// <summary>The decree of the last applied write; 0 for a new store. Survives restarts.</summary>
    public long LastAppliedDecree => Volatile.Read(ref _lastAppliedDecree);

    /// <summary>Directory of the RocksDB instance.</summary>
    public string Directory => _db.Path;

    /// <summary>Opens (creating if needed) the RocksDB of one partition replica in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidOperationException">The directory holds another partition's data.</exception>
    /// <exception cref="RocksDbException">RocksDB could not open it (for example another process holds its lock).</exception>
    public static PartitionStore Open(string directory, int appId, int partitionIndex, int partitionCount,
        StorageOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegative(partitionIndex);
        if (!PartitionResolver.IsValidPartitionCount(partitionCount))
        {
            throw new ArgumentOutOfRangeException(nameof(partitionCount), partitionCount, "partition count must be a power of two");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partitionIndex, partitionCount);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);

        System.IO.Directory.CreateDirectory(directory);
        var dbOptions = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true)
            .SetKeepLogFileNum(3);
        var compactionFilter = new ExpiredRecordCompactionFilter(timeProvider);
        var families = new ColumnFamilies(new ColumnFamilyOptions().SetCompactionFilter(compactionFilter.Handle))
        {
            { MetaColumnFamilyName, new ColumnFamilyOptions() },
        };
        RocksDb db;
        try
        {
            db = RocksDb.Open(dbOptions, directory, families);
        }
        catch
        {
            compactionFilter.Dispose();
            throw;
        }

        try
        {
            var metaCf = db.GetColumnFamily(MetaColumnFamilyName);
            CheckIdentity(db, metaCf, directory, appId, partitionIndex);
            var decreeBytes = db.Get(LastAppliedDecreeKey, metaCf);
            var decree = decreeBytes is null ? 0 : BinaryPrimitives.ReadInt64BigEndian(decreeBytes);
            var store = new PartitionStore(db, compactionFilter, appId, partitionIndex, partitionCount, decree, options, timeProvider, logger);
            LogInformationOpened(logger, appId, partitionIndex, directory, decree);
            return store;
        }
        catch
        {
            db.Dispose();
            compactionFilter.Dispose();
            throw;
        }
    }

    /// <summary>True for the operations that change data and go through <see cref="ApplyWrite"/>.</summary>
    public static bool IsWrite(DataRequest.OpOneofCase op) => DataOperations.IsWrite(op);

    /// <summary>True for the operations <see cref="ExecuteRead"/> serves.</summary>
    public static bool IsRead(DataRequest.OpOneofCase op) => op is DataRequest.OpOneofCase.Get
        or DataRequest.OpOneofCase.Exist or DataRequest.OpOneofCase.Ttl or DataRequest.OpOneofCase.MultiGet
        or DataRequest.OpOneofCase.SortKeyCount or DataRequest.OpOneofCase.BatchGet
        or DataRequest.OpOneofCase.GetScanner or DataRequest.OpOneofCase.Scan or DataRequest.OpOneofCase.ClearScanner;

    /// <summary>Number of open scan contexts (for metrics and tests).</summary>
    public int OpenScanContextCount => _scanContexts.Count;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Order matters: no native call may run on a closed database.
        _gate.Close();
        _scanContextReaper.Dispose();
        _scanContexts.Dispose();
        _pointReadOptions.Dispose();
        _writeBatch.Dispose();
        _db.Dispose();

        // Only now can no compaction call the filter any more.
        _compactionFilter.Dispose();
        _gate.Dispose();
        LogInformationClosed(_logger, AppId, PartitionIndex, LastAppliedDecree);
    }

    /// <summary>
    /// Compacts all data now (Pegasus's manual compaction), which also drops expired records
    /// through the compaction filter. Thread-safe; may take long on a big partition.
    /// </summary>
    public void CompactData()
    {
        ObjectDisposedException.ThrowIf(!_gate.TryEnter(), this);
        try
        {
            _db.CompactRange((byte[]?)null, null, _dataCf);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>"Now" in Pegasus epoch seconds, the clock every TTL check uses.</summary>
    private uint Now() => PegasusEpoch.SecondsSinceEpoch(_timeProvider.GetUtcNow());

    private void FillHeader(DataResponse response)
    {
        response.AppId = AppId;
        response.PartitionIndex = PartitionIndex;
    }

    private static void Fail(DataResponse response, ErrorCode error, string message)
    {
        response.Error = error;
        response.ErrorMessage = message;
    }

    private void ReapScanContexts()
    {
        if (!_gate.TryEnter())
        {
            return;
        }

        try
        {
            var count = _scanContexts.RemoveExpired();
            if (count > 0)
            {
                LogDebugScanContextsExpired(_logger, AppId, PartitionIndex, count);
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    private static void CheckIdentity(RocksDb db, ColumnFamilyHandle metaCf, string directory, int appId, int partitionIndex)
    {
        var storedAppId = db.Get(AppIdKey, metaCf);
        var storedPartition = db.Get(PartitionIndexKey, metaCf);
        if (storedAppId is null || storedPartition is null)
        {
            using var batch = new WriteBatch();
            batch.Put(AppIdKey, Int32Bytes(appId), metaCf);
            batch.Put(PartitionIndexKey, Int32Bytes(partitionIndex), metaCf);
            batch.Put(DataVersionKey, Int32Bytes(DataVersion), metaCf);
            db.Write(batch, new WriteOptions().SetSync(true));
            return;
        }

        var existingApp = BinaryPrimitives.ReadInt32BigEndian(storedAppId);
        var existingPartition = BinaryPrimitives.ReadInt32BigEndian(storedPartition);
        if (existingApp != appId || existingPartition != partitionIndex)
        {
            throw new InvalidOperationException(
                $"{directory} holds partition {existingApp}.{existingPartition}, not {appId}.{partitionIndex}");
        }
    }

    private static byte[] Int32Bytes(int value)
    {
        var bytes = new byte[sizeof(int)];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>RocksDbSharp does not surface an iterator's error status; ask for it directly.</summary>
    private static void ThrowIfIteratorFailed(Iterator iterator) => Native.Instance.rocksdb_iter_get_error(iterator.Handle);
}
