namespace Pegasus.Client;

/// <summary>Sort keys read by <see cref="PegasusTable.MultiGetSortKeysAsync(byte[], MultiGetOptions?, TimeSpan?, CancellationToken)"/>.</summary>
/// <param name="SortKeys">The sort keys found, in ascending order.</param>
/// <param name="Complete">False when the server stopped at a count or size limit: more sort keys may match.</param>
public sealed record MultiGetSortKeysResult(IReadOnlyList<byte[]> SortKeys, bool Complete);
