using Pegasus.Protocol.Data;
using RocksDbSharp;

namespace Pegasus.Replica.Storage;

/// <summary>
/// A server-side scanner between batches (Pegasus's <c>pegasus_scan_context</c>): the RocksDB
/// iterator, positioned at the next record, keeps a consistent view of the partition as of the
/// GetScanner call, plus everything needed to continue the scan.
/// </summary>
internal sealed class ScanContext : IDisposable
{
    public required Iterator Iterator { get; init; }

    /// <summary>Owned because the iterator reads its bounds for its whole life.</summary>
    public required OwnedReadOptions ReadOptions { get; init; }

    /// <summary>Storage key where the scan ends.</summary>
    public required byte[] Stop { get; init; }

    public required bool StopInclusive { get; init; }

    public required FilterType HashKeyFilterType { get; init; }

    public required byte[] HashKeyFilterPattern { get; init; }

    public required FilterType SortKeyFilterType { get; init; }

    public required byte[] SortKeyFilterPattern { get; init; }

    public required int BatchSize { get; init; }

    public required bool NoValue { get; init; }

    /// <summary>Full-partition scans skip records whose key does not hash to this partition.</summary>
    public required bool ValidatePartitionHash { get; init; }

    public required bool ReturnExpireTs { get; init; }

    public required bool OnlyReturnCount { get; init; }

    public void Dispose()
    {
        // The iterator reads the options' bounds, so it goes first.
        Iterator.Dispose();
        ReadOptions.Dispose();
    }
}
