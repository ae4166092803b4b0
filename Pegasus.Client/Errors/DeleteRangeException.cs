using Pegasus.Protocol;

namespace Pegasus.Client;

/// <summary>
/// A <see cref="PegasusTable.DeleteRangeAsync"/> stopped part way (a batch delete or a scan round trip failed, or the
/// timeout passed). Records before <see cref="NextSortKey"/> in the range are deleted; those from it on may remain.
/// Calling <see cref="PegasusTable.DeleteRangeAsync"/> again from <see cref="NextSortKey"/> (start inclusive) finishes
/// the job, as with Java's <c>DelRangeOptions.nextSortKey</c>.
/// </summary>
public sealed class DeleteRangeException : PegasusException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The failure's code (the failed step's, or <see cref="ErrorCode.Timeout"/>).</param>
    /// <param name="message">What failed, for people.</param>
    /// <param name="nextSortKey">The first sort key of the range that may not be deleted.</param>
    /// <param name="deletedCount">How many sort keys were deleted before the failure.</param>
    /// <param name="innerException">The failure of the step that stopped the deletion.</param>
    public DeleteRangeException(ErrorCode error, string message, byte[] nextSortKey, long deletedCount, Exception? innerException)
        : base(error, message, innerException is PegasusException pegasus ? pegasus.IsTransient : IsTransientError(error), innerException)
    {
        ArgumentNullException.ThrowIfNull(nextSortKey);
        NextSortKey = nextSortKey;
        DeletedCount = deletedCount;
    }

    /// <summary>Gets the sort key to restart from (start inclusive): every matching record before it in the range was deleted.</summary>
    public byte[] NextSortKey { get; }

    /// <summary>Gets how many sort keys were deleted (by completed batches) before the failure.</summary>
    public long DeletedCount { get; }
}
