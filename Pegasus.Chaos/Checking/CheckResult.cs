using Pegasus.Chaos.History;
using System.Text;

namespace Pegasus.Chaos.Checking;

/// <summary>The verdict on a history or on one key.</summary>
public enum CheckOutcome
{
    /// <summary>A linearization exists.</summary>
    Linearizable,

    /// <summary>No linearization exists.</summary>
    NotLinearizable,

    /// <summary>The search ran out of its step or time budget before deciding.</summary>
    Unknown,

    /// <summary>
    /// Every key that was checked is linearizable (or undecided), but the history breaks the rules the
    /// checker relies on (see <see cref="CheckResult.Errors"/>), so it cannot be called linearizable.
    /// </summary>
    Malformed,
}

/// <summary>A history operation the checker found malformed.</summary>
/// <param name="Index">Its 0-based position in the checked list (a file's line number minus one, without blank lines).</param>
/// <param name="Operation">The operation.</param>
/// <param name="Message">What is wrong.</param>
public sealed record HistoryError(int Index, HistoryOperation Operation, string Message)
{
    public override string ToString() => $"#{Index}: {Message}: {OperationText.Format(Operation)}";
}

/// <summary>The verdict on one key (an independent register).</summary>
/// <param name="Key">The key.</param>
/// <param name="Outcome">Linearizable, NotLinearizable or Unknown.</param>
/// <param name="Operations">The operations searched: ok ones and unknown writes (failed ops and unknown reads are dropped).</param>
/// <param name="UnknownOperations">How many of them ended unknown.</param>
/// <param name="Steps">Model transitions tried.</param>
/// <param name="Elapsed">Search time.</param>
/// <param name="Failure">Where the search got stuck (NotLinearizable), or how far it got (Unknown); null when linearizable.</param>
public sealed record KeyCheckResult(
    string Key,
    CheckOutcome Outcome,
    int Operations,
    int UnknownOperations,
    long Steps,
    TimeSpan Elapsed,
    KeyFailure? Failure);

/// <summary>The verdict on a whole history.</summary>
/// <param name="Outcome">NotLinearizable if any key is; else Malformed if there are errors; else Unknown if any key ran out of budget; else Linearizable.</param>
/// <param name="Keys">Every key's verdict, ordered by key (ordinal).</param>
/// <param name="Errors">Well-formedness violations; operations breaking the format rules were left out of the search.</param>
/// <param name="Elapsed">Wall-clock time of the whole check.</param>
public sealed record CheckResult(
    CheckOutcome Outcome,
    IReadOnlyList<KeyCheckResult> Keys,
    IReadOnlyList<HistoryError> Errors,
    TimeSpan Elapsed)
{
    public IEnumerable<KeyCheckResult> NotLinearizableKeys => Keys.Where(k => k.Outcome == CheckOutcome.NotLinearizable);

    public IEnumerable<KeyCheckResult> UnknownKeys => Keys.Where(k => k.Outcome == CheckOutcome.Unknown);

    /// <summary>A human-readable report: the verdict, the errors and each key that is not linearizable or undecided.</summary>
    public string Describe(int maxKeys = 10, int maxErrors = 20)
    {
        var text = new StringBuilder();
        text.Append(Outcome).Append(": ").Append(Keys.Count).Append(" keys, ")
            .Append(Keys.Sum(k => k.Operations)).Append(" operations searched in ")
            .Append(Elapsed.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)).Append(" ms; ")
            .Append(NotLinearizableKeys.Count()).Append(" not linearizable, ")
            .Append(UnknownKeys.Count()).Append(" unknown (budget exceeded), ")
            .Append(Errors.Count).AppendLine(" errors.");
        foreach (var error in Errors.Take(maxErrors))
        {
            text.Append("error ").AppendLine(error.ToString());
        }

        foreach (var key in NotLinearizableKeys.Concat(UnknownKeys).Take(maxKeys))
        {
            text.AppendLine(key.Failure?.Explanation
                ?? $"key \"{key.Key}\": unknown (budget exceeded after {key.Steps} steps, before any dead end)");
        }

        return text.ToString();
    }

    public override string ToString() => Describe();
}
