using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>Turns the check value fields of check-and-set/mutate responses into results, for answers and refusals alike.</summary>
internal static class CheckValues
{
    public static CheckAndSetResult ToCheckAndSetResult(CheckAndSetResponse? response, bool succeeded)
        => response is { CheckValueReturned: true }
            ? new CheckAndSetResult(succeeded, true, response.CheckValueExist, response.CheckValueExist ? response.CheckValue.ToByteArray() : null)
            : new CheckAndSetResult(succeeded, false, false, null);

    public static CheckAndMutateResult ToCheckAndMutateResult(CheckAndMutateResponse? response, bool succeeded)
        => response is { CheckValueReturned: true }
            ? new CheckAndMutateResult(succeeded, true, response.CheckValueExist, response.CheckValueExist ? response.CheckValue.ToByteArray() : null)
            : new CheckAndMutateResult(succeeded, false, false, null);
}
