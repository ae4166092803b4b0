namespace Pegasus.Protocol.Data;

/// <summary>Which data operations are writes: the ones primaries replicate and clients number for deduplication.</summary>
public static class DataOperations
{
    /// <summary>True for the operations that change data.</summary>
    /// <param name="op">The request's operation.</param>
    /// <returns>Whether it is a write.</returns>
    public static bool IsWrite(DataRequest.OpOneofCase op) => op is DataRequest.OpOneofCase.Set
        or DataRequest.OpOneofCase.Delete or DataRequest.OpOneofCase.Incr or DataRequest.OpOneofCase.MultiSet
        or DataRequest.OpOneofCase.MultiDelete or DataRequest.OpOneofCase.CheckAndSet
        or DataRequest.OpOneofCase.CheckAndMutate;
}
