using Google.Protobuf;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;

namespace Pegasus.Replica.Storage;

public sealed partial class PartitionStore
{
    /// <summary>
    /// Pegasus's check_and_set: reads the check record, reports it when asked, and writes the
    /// set record only when the condition holds (else TRY_AGAIN, or INVALID_ARGUMENT for an
    /// integer comparison on a non-integer).
    /// </summary>
    private void CheckAndSet(CheckAndSetRequest request, DataResponse response)
    {
        var result = new CheckAndSetResponse();
        response.CheckAndSet = result;
        var check = ReadCheckValue(request.HashKey, request.CheckSortKey);
        if (request.ReturnCheckValue)
        {
            result.CheckValueReturned = true;
            result.CheckValueExist = check.Exists;
            result.CheckValue = check.Value;
        }

        if (!Passes(request.CheckType, request.CheckOperand, check, response))
        {
            return;
        }

        var setSortKey = request.SetDiffSortKey ? request.SetSortKey : request.CheckSortKey;
        PutRecord(request.HashKey, setSortKey, request.SetValue.Span, request.SetExpireTsSeconds);
    }

    /// <summary>Pegasus's check_and_mutate: like check-and-set, with a list of puts and deletes applied atomically.</summary>
    private void CheckAndMutate(CheckAndMutateRequest request, DataResponse response)
    {
        var result = new CheckAndMutateResponse();
        response.CheckAndMutate = result;
        var check = ReadCheckValue(request.HashKey, request.CheckSortKey);
        if (request.ReturnCheckValue)
        {
            result.CheckValueReturned = true;
            result.CheckValueExist = check.Exists;
            result.CheckValue = check.Value;
        }

        if (!Passes(request.CheckType, request.CheckOperand, check, response))
        {
            return;
        }

        foreach (var mutate in request.MutateList)
        {
            if (mutate.Operation == MutateOperation.Put)
            {
                PutRecord(request.HashKey, mutate.SortKey, mutate.Value.Span, mutate.SetExpireTsSeconds);
            }
            else
            {
                DeleteRecord(request.HashKey, mutate.SortKey);
            }
        }
    }

    private CheckValue ReadCheckValue(ByteString hashKey, ByteString checkSortKey)
    {
        var stored = ReadLive(hashKey, checkSortKey, Now());
        return stored is null ? new CheckValue(false, ByteString.Empty) : new CheckValue(true, UserDataOf(stored));
    }

    private static bool Passes(CheckType type, ByteString operand, CheckValue check, DataResponse response)
    {
        switch (CheckConditions.Evaluate(type, operand.Span, check.Exists, check.Value.Span))
        {
            case CheckOutcome.Passed:
                return true;
            case CheckOutcome.InvalidArgument:
                Fail(response, ErrorCode.InvalidArgument, "an integer check needs an int64 check value and operand");
                return false;
            default:
                Fail(response, ErrorCode.TryAgain, $"the check {type} did not pass");
                return false;
        }
    }

    private readonly record struct CheckValue(bool Exists, ByteString Value);
}
