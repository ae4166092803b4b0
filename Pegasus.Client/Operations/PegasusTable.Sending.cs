using System.Diagnostics;
using Pegasus.Client.Diagnostics;
using Pegasus.Client.Transport;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>
    /// Sends one request to the primary of the partition <paramref name="partitionHash"/> maps to, refreshing the
    /// routing and retrying (with backoff, within the scope's deadline) while the failure is a routing or
    /// connection problem. Returns every other response, errors included, for the caller to interpret.
    /// </summary>
    /// <param name="scope">The operation (deadline, telemetry).</param>
    /// <param name="partitionHash">The key hash, or an explicit partition index (smaller than the partition count).</param>
    /// <param name="template">
    /// The request with its operation set, its size already checked (<see cref="Validation.RequestSize"/>); id, app
    /// id, partition and trace context are filled in here.
    /// </param>
    /// <param name="retry">False: fail on the first retryable failure with a transient <see cref="PegasusException"/>.</param>
    internal async Task<DataResponse> SendAsync(OperationScope scope, ulong partitionHash, DataRequest template, bool retry)
    {
        if (!DataOperations.IsWrite(template.OpCase))
        {
            return await SendAttemptsAsync(scope, partitionHash, template, retry).ConfigureAwait(false);
        }

        // Every attempt of a write carries the same number: a retry of a write that was applied is answered, not redone.
        var session = _core.Writes;
        var seq = session.Begin();
        template.WriteSession = session.Id;
        template.WriteSeq = seq;
        try
        {
            return await SendAttemptsAsync(scope, partitionHash, template, retry).ConfigureAwait(false);
        }
        finally
        {
            session.Complete(seq);
        }
    }

    private async Task<DataResponse> SendAttemptsAsync(OperationScope scope, ulong partitionHash, DataRequest template, bool retry)
    {
        var options = _core.Options;
        var backoff = options.RetryInitialBackoff;
        for (var attempt = 0; ; attempt++)
        {
            var routing = Router.Current;
            var partitionIndex = routing.PartitionIndexOf(partitionHash);
            var primary = routing.PrimaryOf(partitionIndex);
            ErrorCode failure;
            string reason;
            Exception? inner = null;
            var refreshRouting = true;
            if (primary is null)
            {
                failure = ErrorCode.InvalidState;
                reason = $"partition {partitionIndex} has no primary";
            }
            else
            {
                // A request that went out on a stream that then broke may still be read by its sender loop:
                // retries send a copy rather than change it.
                var request = attempt == 0 ? template : template.Clone();
                request.AppId = routing.AppId;
                request.PartitionIndex = partitionIndex;
                if (request.WriteSession != 0)
                {
                    request.WriteAckedBelow = _core.Writes.AckedBelow;
                }

                InjectTraceContext(request);
                scope.Activity?.SetTag("pegasus.partition_index", partitionIndex);
                scope.Activity?.SetTag("server.address", primary);
                try
                {
                    var response = await _core.Pool.Get(primary).SendAsync(request, scope.Token).ConfigureAwait(false);
                    if (!IsRetryable(response.Error))
                    {
                        return response;
                    }

                    failure = response.Error;
                    refreshRouting = response.Error != ErrorCode.Busy;
                    reason = string.IsNullOrEmpty(response.ErrorMessage)
                        ? $"{response.Error} from {primary}"
                        : $"{response.Error} from {primary}: {response.ErrorMessage}";
                }
                catch (ReplicaConnectionException ex)
                {
                    failure = ErrorCode.Unknown;
                    reason = ex.Message;
                    inner = ex;
                }
            }

            scope.LastFailure = reason;
            if (!retry || attempt >= options.MaxRetries)
            {
                var attempts = attempt + 1;
                throw new PegasusException(
                    failure, $"{scope.Operation} on table '{Name}' failed after {attempts} attempt(s): {reason}", isTransient: true, inner);
            }

            _core.Instruments.RecordRetry(Name, failure.ToString());
            _core.OperationLogger.LogDebugOperationRetry(scope.Operation, Name, partitionIndex, primary ?? "(none)", failure, attempt + 1);
            await Task.Delay(backoff, _core.TimeProvider, scope.Token).ConfigureAwait(false);
            backoff = options.NextRetryBackoff(backoff);
            if (refreshRouting)
            {
                await RefreshRoutingAsync(scope, routing).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Errors that mean "this server cannot serve the partition now": retried after a routing refresh.</summary>
    internal static bool IsRetryable(ErrorCode error)
        => error is ErrorCode.ObjectNotFound or ErrorCode.InvalidState or ErrorCode.PartitionMismatch
            or ErrorCode.StaleBallot or ErrorCode.Busy;

    private async Task RefreshRoutingAsync(OperationScope scope, Routing.TableRouting stale)
    {
        try
        {
            await Router.RefreshAsync(stale, scope.Token).ConfigureAwait(false);
        }
        catch (PegasusException ex) when (ex.IsTransient)
        {
            // No meta server answered: keep retrying with the routing we have until the deadline.
            scope.LastFailure = $"{scope.LastFailure}; routing refresh failed: {ex.Message}";
        }
    }

    /// <summary>Carries the caller's W3C trace context, so one client call is one trace across the servers.</summary>
    private static void InjectTraceContext(DataRequest request)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current && current.Id is { } id)
        {
            request.Traceparent = id;
            request.Tracestate = current.TraceStateString ?? string.Empty;
        }
    }
}
