using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>
    /// Creates a scanner over one hash key's sort-key range. Nothing is sent until it is enumerated; an empty
    /// range gives a scanner that returns nothing without asking a server.
    /// </summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="startSortKey">The range's start; empty for the first sort key.</param>
    /// <param name="stopSortKey">The range's end; empty for past the last sort key.</param>
    /// <param name="options">Bounds' inclusiveness, filters, batch size, no-value, expire times, per-round-trip timeout.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The scanner; enumerate it once and dispose it.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key; <see cref="ErrorCode.InvalidArgument"/> for an unknown filter type or a
    /// batch size below 1.
    /// </exception>
    public Task<PegasusScanner> GetScannerAsync(
        byte[] hashKey, byte[] startSortKey, byte[] stopSortKey, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            Validation.NonEmptyHashKey(hashKey, "GetScanner");
            ArgumentNullException.ThrowIfNull(startSortKey);
            ArgumentNullException.ThrowIfNull(stopSortKey);
            options ??= ScanOptions.Default;
            ValidateScanOptions(options, "GetScanner");

            var request = NewScannerRequest(options);
            request.FullScan = false;
            request.HashKey = Requests.Bytes(hashKey);
            request.StartSortKey = Requests.Bytes(startSortKey);
            request.StopSortKey = Requests.Bytes(stopSortKey);
            request.StartInclusive = options.StartInclusive;

            // An empty stop means "to the end of the hash key", which no inclusive bound can reach.
            request.StopInclusive = stopSortKey.Length > 0 && options.StopInclusive;

            var hash = Requests.HashKeyHash(hashKey);
            var empty = IsEmptyRange(startSortKey, stopSortKey, request.StartInclusive, request.StopInclusive);
            var scanner = new PegasusScanner(
                this, request, options, hashKey, empty ? [] : [hash], empty ? [] : [Router.Current.PartitionIndexOf(hash)]);
            return Task.FromResult(scanner);
        }
        catch (Exception ex)
        {
            return Task.FromException<PegasusScanner>(ex);
        }
    }

    /// <summary>
    /// Splits a full-table scan into at most <paramref name="maxSplitCount"/> scanners, each covering a
    /// contiguous set of partitions (sizes differ by at most one), for scanning in parallel. Records come in no
    /// global order.
    /// </summary>
    /// <param name="maxSplitCount">The most scanners to return (fewer when the table has fewer partitions).</param>
    /// <param name="options">Filters, batch size, no-value, expire times, per-round-trip timeout (the bound options do not apply).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The scanners; enumerate and dispose each.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidSplitCount"/> for <paramref name="maxSplitCount"/> below 1; <see cref="ErrorCode.InvalidArgument"/> for an unknown filter type or
    /// a batch size below 1.
    /// </exception>
    public Task<IReadOnlyList<PegasusScanner>> GetUnorderedScannersAsync(
        int maxSplitCount, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (maxSplitCount <= 0)
            {
                throw new PegasusException(ErrorCode.InvalidSplitCount, $"GetUnorderedScanners: max split count must be positive, not {maxSplitCount}");
            }

            options ??= ScanOptions.Default;
            ValidateScanOptions(options, "GetUnorderedScanners");
            var request = NewScannerRequest(options);
            request.FullScan = true;
            request.StartInclusive = true;
            request.StopInclusive = false;

            var scanners = new List<PegasusScanner>();
            foreach (var partitions in SplitPartitions(Router.Current.PartitionCount, maxSplitCount))
            {
                scanners.Add(new PegasusScanner(this, request, options, hashKey: null, [.. partitions.Select(p => (ulong)p)], partitions));
            }

            return Task.FromResult<IReadOnlyList<PegasusScanner>>(scanners);
        }
        catch (Exception ex)
        {
            return Task.FromException<IReadOnlyList<PegasusScanner>>(ex);
        }
    }

    /// <summary>Partitions 0..count-1 in min(count, maxSplitCount) contiguous runs; the first runs take the remainder.</summary>
    internal static List<int[]> SplitPartitions(int partitionCount, int maxSplitCount)
    {
        var splitCount = Math.Min(partitionCount, maxSplitCount);
        var size = partitionCount / splitCount;
        var remainder = partitionCount % splitCount;
        var splits = new List<int[]>(splitCount);
        var next = 0;
        for (var i = 0; i < splitCount; i++)
        {
            var length = size + (i < remainder ? 1 : 0);
            splits.Add([.. Enumerable.Range(next, length)]);
            next += length;
        }

        return splits;
    }

    /// <summary>Pegasus's check: a range is empty unless start &lt; stop, or start == stop with both bounds inclusive.</summary>
    internal static bool IsEmptyRange(byte[] startSortKey, byte[] stopSortKey, bool startInclusive, bool stopInclusive)
    {
        if (stopSortKey.Length == 0)
        {
            return false;
        }

        var order = startSortKey.AsSpan().SequenceCompareTo(stopSortKey);
        return order > 0 || (order == 0 && !(startInclusive && stopInclusive));
    }

    /// <summary>One scanner round trip (GetScanner, Scan or ClearScanner) as its own timed operation.</summary>
    internal Task<DataResponse> RunScanRequestAsync(string operation, ulong target, DataRequest request, bool retry, TimeSpan? timeout, CancellationToken cancellationToken)
        => RunAsync(operation, target, request, static response => response, timeout, cancellationToken, retry);

    private static GetScannerRequest NewScannerRequest(ScanOptions options) => new()
    {
        BatchSize = options.BatchSize,
        NoValue = options.NoValue,
        HashKeyFilterType = options.HashKeyFilterType,
        HashKeyFilterPattern = Requests.Bytes(options.HashKeyFilterPattern),
        SortKeyFilterType = options.SortKeyFilterType,
        SortKeyFilterPattern = Requests.Bytes(options.SortKeyFilterPattern),
        ReturnExpireTs = options.ReturnExpireTimestamp,
        OnlyReturnCount = options.OnlyReturnCount,
    };

    private static void ValidateScanOptions(ScanOptions options, string operation)
    {
        if (options.BatchSize <= 0)
        {
            throw new PegasusException(ErrorCode.InvalidArgument, $"{operation}: batch size must be positive, not {options.BatchSize}");
        }

        Validation.FilterType(options.HashKeyFilterType, operation);
        Validation.FilterType(options.SortKeyFilterType, operation);
        if (options.Timeout is { } timeout)
        {
            OperationScope.ValidateTimeout(timeout);
        }
    }
}
