namespace Pegasus.Chaos.Reporting;

/// <summary>The result of checking a history file (<c>check FILE</c>).</summary>
/// <param name="HistoryPath">The file.</param>
/// <param name="Operations">Operation counts by kind and outcome.</param>
/// <param name="Checker">The checker's verdict.</param>
/// <param name="FormatError">Why the file could not be read (missing, or a malformed line), if it could not; then nothing was checked.</param>
public sealed record CheckReport(string HistoryPath, IReadOnlyList<OperationCount> Operations, CheckVerdict? Checker, string? FormatError)
{
    /// <summary>Gets a value indicating whether the file was read and found linearizable.</summary>
    public bool Passed => FormatError is null && Checker is { Linearizable: true };
}
