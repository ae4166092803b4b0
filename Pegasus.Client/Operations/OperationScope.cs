using System.Diagnostics;
using Pegasus.Client.Diagnostics;
using Pegasus.Protocol;

namespace Pegasus.Client;

/// <summary>
/// One client operation: its activity, its deadline (the call's timeout, on the client's clock) linked with the
/// caller's token, and its latency metric. Retries of the operation all happen inside one scope.
/// </summary>
internal sealed class OperationScope : IDisposable
{
    private readonly ClientInstruments _instruments;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _callerToken;
    private readonly long _startTimestamp;
    private bool _recorded;

    public OperationScope(string table, string operation, TimeSpan timeout, CancellationToken cancellationToken, ClientInstruments instruments, TimeProvider timeProvider)
    {
        Table = table;
        Operation = operation;
        Timeout = timeout;
        _instruments = instruments;
        _timeProvider = timeProvider;
        _callerToken = cancellationToken;
        _startTimestamp = timeProvider.GetTimestamp();
        _deadline = timeout == System.Threading.Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, timeProvider);
        _linked = _deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
        Activity = ClientInstruments.ActivitySource.StartActivity($"Pegasus {operation}", ActivityKind.Client);
        if (Activity is not null)
        {
            Activity.SetTag("db.system.name", "pegasus");
            Activity.SetTag("db.operation.name", operation);
            Activity.SetTag("pegasus.table", table);
        }
    }

    public string Table { get; }

    public string Operation { get; }

    public TimeSpan Timeout { get; }

    public Activity? Activity { get; }

    /// <summary>Fires when the caller cancels or the deadline passes.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>The deadline passed (and the caller did not cancel).</summary>
    public bool TimedOut => _deadline is { IsCancellationRequested: true } && !_callerToken.IsCancellationRequested;

    /// <summary>Why the last attempt failed, for the timeout message.</summary>
    public string? LastFailure { get; set; }

    public TimeSpan Elapsed => _timeProvider.GetElapsedTime(_startTimestamp);

    /// <summary>A per-call timeout: null means the client's default; must be positive or infinite.</summary>
    public static void ValidateTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new PegasusException(ErrorCode.InvalidArgument, $"timeout must be positive, not {timeout}");
        }
    }

    public void Succeeded()
    {
        Record("ok");
        Activity?.SetStatus(ActivityStatusCode.Ok);
    }

    /// <summary>The timeout to throw in place of the cancellation the passed deadline caused (when <see cref="TimedOut"/>).</summary>
    public PegasusException TimeoutException(OperationCanceledException exception)
    {
        var reason = LastFailure is null ? "" : $" (last failure: {LastFailure})";
        var timeout = new PegasusException(ErrorCode.Timeout, $"{Operation} on table '{Table}' timed out after {Timeout}{reason}", exception);
        Failed(timeout);
        return timeout;
    }

    /// <summary>Records a failure; returns false so it can sit in an exception filter without catching.</summary>
    public bool Failed(Exception exception)
    {
        var outcome = exception switch
        {
            PegasusException pegasus => pegasus.Error.ToString(),
            OperationCanceledException => "cancelled",
            _ => exception.GetType().Name,
        };
        Record(outcome);
        Activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        Activity?.SetTag("error.type", outcome);
        return false;
    }

    public void Dispose()
    {
        Activity?.Dispose();
        _linked.Dispose();
        _deadline?.Dispose();
    }

    private void Record(string outcome)
    {
        if (_recorded)
        {
            return;
        }

        _recorded = true;
        _instruments.RecordOperation(Table, Operation, outcome, Elapsed);
    }
}
