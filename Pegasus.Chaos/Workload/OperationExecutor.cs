using System.Globalization;
using System.Text;
using Pegasus.Chaos.History;
using Pegasus.Client;
using Pegasus.Protocol.Data;

namespace Pegasus.Chaos.Workload;

/// <summary>
/// Runs one planned operation through <see cref="PegasusTable"/> and records it as a <see cref="HistoryOperation"/>:
/// ok with its result; a failed read is <c>fail</c> (a read changes nothing); a failed or timed-out write is
/// <c>unknown</c>, since a write a primary prepared may still be committed by the next primary, unless the client
/// certainly never sent it (then <c>fail</c>). <c>meta</c> names the server that answered and any error.
/// </summary>
public sealed class OperationExecutor
{
    private const int MaxErrorText = 240;

    // Beyond the client's own deadline: a client that does not honor its timeout still cannot stall a process.
    private static readonly TimeSpan GuardSlack = TimeSpan.FromSeconds(3);

    private readonly PegasusTable _table;
    private readonly HistoryClock _clock;
    private readonly TimeSpan _timeout;

    /// <summary>Initializes a new instance of the <see cref="OperationExecutor"/> class.</summary>
    /// <param name="table">The table.</param>
    /// <param name="clock">The run's clock.</param>
    /// <param name="timeout">Each operation's timeout.</param>
    public OperationExecutor(PegasusTable table, HistoryClock clock, TimeSpan timeout)
    {
        _table = table;
        _clock = clock;
        _timeout = timeout;
    }

    /// <summary>Runs <paramref name="operation"/> for <paramref name="process"/> and returns its record.</summary>
    /// <param name="process">The logical process.</param>
    /// <param name="operation">What to run.</param>
    /// <param name="abort">Abandons the operation (it is then recorded as not answered).</param>
    /// <returns>The record, never throwing for the operation's own failure.</returns>
    public async Task<HistoryOperation> RunAsync(int process, PlannedOperation operation, CancellationToken abort)
    {
        var key = operation.Key;
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(abort);
        guard.CancelAfter(_timeout + GuardSlack);
        using var activity = ServerCapture.StartOperation(HistoryJson.OpName(operation.Op));
        var call = _clock.Now();
        string? result = null;
        try
        {
            switch (operation.Op)
            {
                case HistoryOpKind.Get:
                    var value = await _table.GetAsync(key.HashKey, key.SortKey, _timeout, guard.Token).ConfigureAwait(false);
                    result = value is null ? null : Encoding.UTF8.GetString(value);
                    break;
                case HistoryOpKind.Set:
                    await _table.SetAsync(key.HashKey, key.SortKey, Encoding.UTF8.GetBytes(operation.Value!), 0, _timeout, guard.Token).ConfigureAwait(false);
                    break;
                case HistoryOpKind.Del:
                    await _table.DeleteAsync(key.HashKey, key.SortKey, _timeout, guard.Token).ConfigureAwait(false);
                    break;
                case HistoryOpKind.Incr:
                    var counter = await _table.IncrAsync(key.HashKey, key.SortKey, operation.Delta!.Value, 0, _timeout, guard.Token).ConfigureAwait(false);
                    result = counter.ToString(CultureInfo.InvariantCulture);
                    break;
                case HistoryOpKind.Cas:
                    var (checkType, operand) = operation.Expect is { } expect
                        ? (CheckType.ValueBytesEqual, Encoding.UTF8.GetBytes(expect))
                        : (CheckType.ValueNotExist, Array.Empty<byte>());
                    var cas = await _table.CheckAndSetAsync(
                        key.HashKey, key.SortKey, checkType, operand, key.SortKey, Encoding.UTF8.GetBytes(operation.Value!),
                        options: null, _timeout, guard.Token).ConfigureAwait(false);
                    result = cas.SetSucceed ? "true" : "false";
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(operation), operation.Op, "not a workload operation");
            }
        }
        catch (Exception ex) when (ex is not ArgumentOutOfRangeException)
        {
            // Every failure of the operation itself is recorded, whatever its type: the run goes on, and a write's
            // outcome is unknown unless it certainly never left the client.
            var ended = _clock.Now();
            var server = ServerCapture.ServerOf(activity);
            var unknown = operation.Op != HistoryOpKind.Get && ServerCapture.MayHaveSent(activity);
            var meta = Meta(server, ex, ended);
            return Record(process, operation, call, unknown ? null : ended, unknown ? HistoryStatus.Unknown : HistoryStatus.Fail, null, meta);
        }

        var returned = _clock.Now();
        return Record(process, operation, call, returned, HistoryStatus.Ok, result, Meta(ServerCapture.ServerOf(activity), null, returned));
    }

    private static HistoryOperation Record(
        int process, PlannedOperation operation, long call, long? returned, HistoryStatus status, string? result, string? meta)
        => new(process, operation.Key.Name, operation.Op, operation.Value, operation.Expect, operation.Delta, call, returned, status, result, meta);

    private static string? Meta(string? server, Exception? error, long ended)
    {
        if (error is null)
        {
            return server is null ? null : "server=" + server;
        }

        var code = error switch
        {
            PegasusException pegasus => pegasus.Error.ToString(),
            OperationCanceledException => "Abandoned",
            _ => error.GetType().Name,
        };
        var message = error.Message.ReplaceLineEndings(" ");
        if (message.Length > MaxErrorText)
        {
            message = message[..MaxErrorText] + "…";
        }

        // An unknown operation has no return time in the history (it may take effect later); when it was given up is detail.
        var text = new StringBuilder();
        text.Append("server=").Append(server ?? "(not sent)")
            .Append("; error=").Append(code).Append(": ").Append(message)
            .Append("; ended=").Append(ended.ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }

    /// <summary>The error code of a history operation's <c>meta</c>, or null.</summary>
    /// <param name="meta">The meta text this executor wrote.</param>
    /// <returns>E.g. <c>Timeout</c>.</returns>
    internal static string? ErrorCodeOf(string? meta)
    {
        const string Marker = "error=";
        var start = meta?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        if (start < 0)
        {
            return null;
        }

        start += Marker.Length;
        var end = meta!.IndexOf(':', start);
        return end < 0 ? meta[start..] : meta[start..end];
    }

    /// <summary>The server of a history operation's <c>meta</c>, or null.</summary>
    /// <param name="meta">The meta text this executor wrote.</param>
    /// <returns>The server's address.</returns>
    internal static string? ServerOf(string? meta)
    {
        const string Marker = "server=";
        if (meta is null || !meta.StartsWith(Marker, StringComparison.Ordinal))
        {
            return null;
        }

        var end = meta.IndexOf(';', StringComparison.Ordinal);
        var server = end < 0 ? meta[Marker.Length..] : meta[Marker.Length..end];
        return server.StartsWith('(') ? null : server;
    }
}
