namespace Pegasus.Client;

/// <summary>A record returned by a <see cref="PegasusScanner"/>.</summary>
/// <param name="HashKey">The record's hash key.</param>
/// <param name="SortKey">The record's sort key.</param>
/// <param name="Value">The value; empty with <see cref="ScanOptions.NoValue"/>.</param>
/// <param name="ExpireTimestampSeconds">
/// The expire time in seconds since 2016-01-01T00:00:00Z (Pegasus's epoch), 0 for none; only filled with
/// <see cref="ScanOptions.ReturnExpireTimestamp"/>.
/// </param>
public sealed record PegasusRecord(byte[] HashKey, byte[] SortKey, byte[] Value, uint ExpireTimestampSeconds);
