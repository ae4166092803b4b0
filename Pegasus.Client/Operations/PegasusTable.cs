using Pegasus.Client.Routing;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>
/// One table of a Pegasus cluster: every data operation, routed by key to its partition's primary.
/// Get it from <see cref="PegasusClient.OpenTableAsync(string, CancellationToken)"/>. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Every operation is async, takes an optional per-call <c>timeout</c> (null: the client's
/// <see cref="PegasusClientOptions.DefaultTimeout"/>; routing refreshes and retries happen within it) and a
/// <see cref="CancellationToken"/>. Failures are <see cref="PegasusException"/>s with an <see cref="ErrorCode"/>:
/// <see cref="ErrorCode.Timeout"/> when the timeout passes; for invalid arguments (checked before anything is sent,
/// and by the server again with the same codes) <see cref="ErrorCode.InvalidHashKey"/>, <see cref="ErrorCode.InvalidValue"/>,
/// <see cref="ErrorCode.InvalidSplitCount"/> or <see cref="ErrorCode.InvalidArgument"/>, as Pegasus's PERR_* codes.
/// A server's refusal keeps its answer in <see cref="PegasusException.Response"/>. A cancelled token throws
/// <see cref="OperationCanceledException"/>. "Not found" is a result, never an exception.
/// </para>
/// <para>
/// Keys and values are byte arrays; the client does not copy them, so do not change an array until the call
/// that was given it has completed. A hash key may be at most <see cref="Protocol.Keys.KeyLimits.MaxHashKeyLength"/>
/// bytes; operations on one hash key (multi-get/set/delete, sort-key count, check-and-set/mutate, hash scans)
/// need a non-empty hash key. TTLs are in seconds (0 = none) and become absolute expire times on the client's
/// <see cref="PegasusClientOptions.TimeProvider"/>.
/// </para>
/// <para>
/// A write (its keys, values and TTLs together) may be at most <see cref="PegasusClientOptions.MaxAllowedWriteSize"/>
/// bytes, 1 MiB by default as in Apache Pegasus; a larger one fails with <see cref="ErrorCode.InvalidArgument"/>
/// before it is sent, and the replica server refuses it the same way.
/// </para>
/// <para>
/// Conditions and filters use the protocol's enums <see cref="CheckType"/> and <see cref="FilterType"/>
/// from <c>Pegasus.Protocol.Data</c>.
/// </para>
/// </remarks>
public sealed partial class PegasusTable
{
    private readonly ClientCore _core;

    internal PegasusTable(ClientCore core, TableRouter router)
    {
        _core = core;
        Router = router;
    }

    /// <summary>Gets the table's name.</summary>
    public string Name => Router.TableName;

    /// <summary>Gets the table's id in the cluster, from the latest routing (it changes if the table is recreated).</summary>
    public int AppId => Router.Current.AppId;

    /// <summary>Gets the table's partition count.</summary>
    public int PartitionCount => Router.Current.PartitionCount;

    internal TableRouter Router { get; }

    internal ClientCore Core => _core;

    /// <summary>Runs a single-partition operation and interprets its response, with the operation's telemetry.</summary>
    private async Task<T> RunAsync<T>(
        string operation,
        ulong partitionHash,
        DataRequest request,
        Func<DataResponse, T> interpret,
        TimeSpan? timeout,
        CancellationToken cancellationToken,
        bool retry = true)
    {
        using var scope = StartOperation(operation, timeout, cancellationToken);
        try
        {
            Validation.RequestSize(request, _core.Options.MaxAllowedWriteSize, operation);
            var response = await SendAsync(scope, partitionHash, request, retry).ConfigureAwait(false);
            var result = interpret(response);
            scope.Succeeded();
            return result;
        }
        catch (OperationCanceledException ex) when (scope.TimedOut)
        {
            throw scope.TimeoutException(ex);
        }
        catch (Exception ex) when (scope.Failed(ex))
        {
            throw;
        }
    }

    private OperationScope StartOperation(string operation, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var effective = timeout ?? _core.Options.DefaultTimeout;
        OperationScope.ValidateTimeout(effective);
        cancellationToken.ThrowIfCancellationRequested();
        return new OperationScope(Name, operation, effective, cancellationToken, _core.Instruments, _core.TimeProvider);
    }

    /// <summary>A server's refusal as an exception that keeps the server's typed response.</summary>
    private static PegasusException UnexpectedError(string operation, DataResponse response)
        => new(response, ErrorMessage(operation, response));

    private static string ErrorMessage(string operation, DataResponse response)
        => string.IsNullOrEmpty(response.ErrorMessage)
            ? $"{operation} failed with {response.Error} at {response.Server}"
            : $"{operation} failed with {response.Error} at {response.Server}: {response.ErrorMessage}";
}
