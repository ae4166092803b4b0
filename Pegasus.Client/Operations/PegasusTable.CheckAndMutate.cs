using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Client;

public sealed partial class PegasusTable
{
    /// <summary>
    /// Atomically checks a record of one hash key and, when the check passes, writes a value (at the same or
    /// another sort key of that hash key).
    /// </summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="checkSortKey">The sort key of the record checked.</param>
    /// <param name="checkType">The condition (for example <see cref="CheckType.ValueNotExist"/> or <see cref="CheckType.ValueBytesEqual"/>).</param>
    /// <param name="checkOperand">The condition's operand (a pattern, bytes or a decimal int64); empty when the condition takes none.</param>
    /// <param name="setSortKey">The sort key written when the check passes.</param>
    /// <param name="setValue">The value written when the check passes.</param>
    /// <param name="options">The written value's TTL and whether to return the checked value.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the value was written, and the checked value when asked for. A failed check is not an exception.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key; <see cref="ErrorCode.InvalidArgument"/>
    /// for an unknown check type or a negative TTL.
    /// </exception>
    /// <exception cref="CheckAndSetException">
    /// <see cref="ErrorCode.InvalidArgument"/> from the server (an int comparison against a value or operand that is not
    /// an int64), with the check value fields the server filled.
    /// </exception>
    public async Task<CheckAndSetResult> CheckAndSetAsync(
        byte[] hashKey,
        byte[] checkSortKey,
        CheckType checkType,
        byte[] checkOperand,
        byte[] setSortKey,
        byte[] setValue,
        CheckAndSetOptions? options = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "CheckAndSet");
        ArgumentNullException.ThrowIfNull(checkSortKey);
        ArgumentNullException.ThrowIfNull(checkOperand);
        ArgumentNullException.ThrowIfNull(setSortKey);
        ArgumentNullException.ThrowIfNull(setValue);
        Validation.CheckType(checkType, "CheckAndSet");
        options ??= new CheckAndSetOptions();
        Validation.Ttl(options.SetValueTtlSeconds, "CheckAndSet");
        var request = Requests.CheckAndSet(hashKey, checkSortKey, checkType, checkOperand, setSortKey, setValue, options, _core.TimeProvider.GetUtcNow());
        return await RunAsync("CheckAndSet", Requests.HashKeyHash(hashKey), request, static response =>
        {
            var succeeded = response.Error switch
            {
                ErrorCode.Ok => true,

                // The check did not pass: an answer, not a failure.
                ErrorCode.TryAgain => false,
                _ => throw new CheckAndSetException(response, ErrorMessage("CheckAndSet", response)),
            };
            return CheckValues.ToCheckAndSetResult(response.CheckAndSet, succeeded);
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Atomically checks a record of one hash key and, when the check passes, applies every mutation (sets and
    /// deletes of sort keys of that hash key) in order.
    /// </summary>
    /// <param name="hashKey">The hash key; must not be empty.</param>
    /// <param name="checkSortKey">The sort key of the record checked.</param>
    /// <param name="checkType">The condition.</param>
    /// <param name="checkOperand">The condition's operand; empty when the condition takes none.</param>
    /// <param name="mutations">The writes to apply; must not be empty.</param>
    /// <param name="options">Whether to return the checked value.</param>
    /// <param name="timeout">The call's timeout; null for <see cref="PegasusClientOptions.DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the mutations were applied, and the checked value when asked for. A failed check is not an exception.</returns>
    /// <exception cref="PegasusException">
    /// <see cref="ErrorCode.InvalidHashKey"/> for an empty or too long hash key; <see cref="ErrorCode.InvalidArgument"/>
    /// for an unknown check type, no mutations, or a mutation with a negative TTL.
    /// </exception>
    /// <exception cref="CheckAndMutateException">
    /// <see cref="ErrorCode.InvalidArgument"/> from the server (an int comparison against a value or operand that is not
    /// an int64), with the check value fields the server filled.
    /// </exception>
    public async Task<CheckAndMutateResult> CheckAndMutateAsync(
        byte[] hashKey,
        byte[] checkSortKey,
        CheckType checkType,
        byte[] checkOperand,
        Mutations mutations,
        CheckAndMutateOptions? options = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        Validation.NonEmptyHashKey(hashKey, "CheckAndMutate");
        ArgumentNullException.ThrowIfNull(checkSortKey);
        ArgumentNullException.ThrowIfNull(checkOperand);
        ArgumentNullException.ThrowIfNull(mutations);
        Validation.CheckType(checkType, "CheckAndMutate");
        Validation.NotEmpty(mutations.Count, "the mutations", "CheckAndMutate");
        foreach (var mutation in mutations.Items)
        {
            Validation.Ttl(mutation.TtlSeconds, "CheckAndMutate");
        }

        options ??= new CheckAndMutateOptions();
        var request = Requests.CheckAndMutate(hashKey, checkSortKey, checkType, checkOperand, mutations, options, _core.TimeProvider.GetUtcNow());
        return await RunAsync("CheckAndMutate", Requests.HashKeyHash(hashKey), request, static response =>
        {
            var succeeded = response.Error switch
            {
                ErrorCode.Ok => true,

                // The check did not pass: an answer, not a failure.
                ErrorCode.TryAgain => false,
                _ => throw new CheckAndMutateException(response, ErrorMessage("CheckAndMutate", response)),
            };
            return CheckValues.ToCheckAndMutateResult(response.CheckAndMutate, succeeded);
        }, timeout, cancellationToken).ConfigureAwait(false);
    }
}
