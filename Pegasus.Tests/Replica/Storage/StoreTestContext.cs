using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Time;
using Pegasus.Replica.Storage;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>
/// One real RocksDB partition store in its own temporary directory, a fake clock for TTLs, and
/// request builders. Each test creates its own and disposes it, which deletes the directory.
/// </summary>
internal sealed class StoreTestContext : IDisposable
{
    public const int AppId = 7;

    public StoreTestContext(int partitionCount = 1, int partitionIndex = 0, Action<StorageOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        PartitionCount = partitionCount;
        PartitionIndex = partitionIndex;
        configure?.Invoke(Options);
        TimeProvider = timeProvider ?? Time;
        Store = Open();
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "pegasus-storage-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Starts well after the Pegasus epoch (2016), so expire times are meaningful.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public TimeProvider TimeProvider { get; }

    public StorageOptions Options { get; } = new();

    public int PartitionCount { get; private set; }

    public int PartitionIndex { get; }

    public PartitionStore Store { get; private set; }

    /// <summary>Now in Pegasus epoch seconds.</summary>
    public uint Now => PegasusEpoch.SecondsSinceEpoch(TimeProvider.GetUtcNow());

    public static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>Closes and reopens the store on the same directory (a restart).</summary>
    public void Reopen(int? partitionCount = null)
    {
        Store.Dispose();
        PartitionCount = partitionCount ?? PartitionCount;
        Store = Open();
    }

    /// <summary>A hash key (with the given prefix) that belongs to <paramref name="partition"/>.</summary>
    public string HashKeyIn(int partition, string prefix = "hk")
    {
        for (var i = 0; ; i++)
        {
            var candidate = $"{prefix}{i}";
            if (PartitionResolver.PartitionIndex(B(candidate).Span, [], PartitionCount) == partition)
            {
                return candidate;
            }
        }
    }

    public DataResponse Write(DataRequest request)
    {
        var response = new DataResponse();
        Store.ApplyWrite(Store.LastAppliedDecree + 1, request, response);
        return response;
    }

    public DataResponse Read(DataRequest request)
    {
        var response = new DataResponse();
        Store.ExecuteRead(request, response);
        return response;
    }

    public DataResponse Set(string hashKey, string sortKey, string value, uint expireTs = 0)
        => Write(new DataRequest { Set = new SetRequest { HashKey = B(hashKey), SortKey = B(sortKey), Value = B(value), ExpireTsSeconds = expireTs } });

    public DataResponse Delete(string hashKey, string sortKey)
        => Write(new DataRequest { Delete = new DeleteRequest { HashKey = B(hashKey), SortKey = B(sortKey) } });

    public DataResponse MultiSet(string hashKey, IEnumerable<(string SortKey, string Value)> kvs, uint expireTs = 0)
    {
        var request = new MultiSetRequest { HashKey = B(hashKey), ExpireTsSeconds = expireTs };
        request.Kvs.AddRange(kvs.Select(kv => new KeyValue { SortKey = B(kv.SortKey), Value = B(kv.Value) }));
        return Write(new DataRequest { MultiSet = request });
    }

    public DataResponse Get(string hashKey, string sortKey)
        => Read(new DataRequest { Get = new GetRequest { HashKey = B(hashKey), SortKey = B(sortKey) } });

    public DataResponse Ttl(string hashKey, string sortKey)
        => Read(new DataRequest { Ttl = new TtlRequest { HashKey = B(hashKey), SortKey = B(sortKey) } });

    public bool Exists(string hashKey, string sortKey)
    {
        var response = Read(new DataRequest { Exist = new ExistRequest { HashKey = B(hashKey), SortKey = B(sortKey) } });
        Assert.Equal(Pegasus.Protocol.ErrorCode.Ok, response.Error);
        return response.Exist.Exists;
    }

    /// <summary>The value of a live record, or null when Get answers NotFound.</summary>
    public string? Value(string hashKey, string sortKey)
    {
        var response = Get(hashKey, sortKey);
        if (response.Error == Pegasus.Protocol.ErrorCode.NotFound)
        {
            return null;
        }

        Assert.Equal(Pegasus.Protocol.ErrorCode.Ok, response.Error);
        return response.Get.Value.ToStringUtf8();
    }

    public long SortKeyCount(string hashKey)
    {
        var response = Read(new DataRequest { SortKeyCount = new SortKeyCountRequest { HashKey = B(hashKey) } });
        Assert.Equal(Pegasus.Protocol.ErrorCode.Ok, response.Error);
        return response.SortKeyCount.Count;
    }

    public void Dispose()
    {
        Store.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private PartitionStore Open()
        => PartitionStore.Open(Directory, AppId, PartitionIndex, PartitionCount, Options, TimeProvider, NullLogger.Instance);
}

/// <summary>
/// A clock whose monotonic timestamp moves forward by <paramref name="step"/> on every read, so
/// iteration time limits trip deterministically after a known number of clock reads.
/// </summary>
internal sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
}
