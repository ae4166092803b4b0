using Pegasus.Chaos.Checking;
using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Reporting;

/// <summary>The linearizability checker's verdict on a history.</summary>
/// <param name="Outcome">The checker's outcome: <c>Linearizable</c>, <c>NotLinearizable</c>, <c>Unknown</c> (out of budget) or <c>Malformed</c>.</param>
/// <param name="Linearizable">Whether the history was shown linearizable.</param>
/// <param name="Summary">The checker's description: per-key failures, errors.</param>
/// <param name="Elapsed">How long the check took.</param>
public sealed record CheckVerdict(string Outcome, bool Linearizable, string Summary, TimeSpan Elapsed)
{
    /// <summary>Runs the linearizability checker (<see cref="LinearizabilityChecker"/>) on <paramref name="history"/>.</summary>
    /// <param name="history">The operations.</param>
    /// <param name="options">The checker's budgets; null for its defaults.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The verdict.</returns>
    public static CheckVerdict Check(IReadOnlyList<HistoryOperation> history, CheckerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = LinearizabilityChecker.Check(history, options, cancellationToken);
        return new CheckVerdict(result.Outcome.ToString(), result.Outcome == CheckOutcome.Linearizable, result.Describe(), result.Elapsed);
    }
}
