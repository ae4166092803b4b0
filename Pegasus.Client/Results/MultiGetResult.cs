namespace Pegasus.Client;

/// <summary>Records read by <see cref="PegasusTable.MultiGetAsync"/> or <see cref="PegasusTable.MultiGetRangeAsync"/>.</summary>
/// <param name="Values">
/// The records found (values empty with <see cref="MultiGetOptions.NoValue"/>): in ascending sort-key order for a range
/// read (also a reverse one), in the order asked for when read by sort keys.
/// </param>
/// <param name="Complete">
/// False when the server stopped at a count or size limit (its <c>Incomplete</c> answer): more records may match.
/// </param>
public sealed record MultiGetResult(IReadOnlyList<(byte[] SortKey, byte[] Value)> Values, bool Complete);
