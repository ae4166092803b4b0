using System.Collections.Concurrent;
using System.Diagnostics;
using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Checking;

/// <summary>
/// Checks a history of single-key register operations for linearizability. Keys are independent
/// registers, so each key is searched on its own (P-compositionality) and in parallel with others.
/// Every key starts absent.
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>Checks <paramref name="history"/>; operations that break the format rules are reported as errors and skipped.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public static CheckResult Check(
        IReadOnlyList<HistoryOperation> history,
        CheckerOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= CheckerOptions.Default;
        options.Validate();
        var started = Stopwatch.GetTimestamp();

        var errors = HistoryWellFormedness.FindErrors(history, out var usable);
        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < history.Count; i++)
        {
            if (usable[i] && history[i].Status != HistoryStatus.Fail)
            {
                if (!byKey.TryGetValue(history[i].Key, out var indexes))
                {
                    byKey[history[i].Key] = indexes = [];
                }

                indexes.Add(i);
            }
        }

        // Biggest keys first, so one large key does not start last and leave the other cores idle.
        var keys = byKey.OrderByDescending(k => k.Value.Count).ThenBy(k => k.Key, StringComparer.Ordinal).ToArray();
        var results = new ConcurrentBag<KeyCheckResult>();
        Parallel.ForEach(
            Partitioner.Create(keys, EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken },
            key => results.Add(CheckKey(key.Key, history, key.Value, options, cancellationToken)));

        var ordered = results.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        var outcome = ordered.Any(r => r.Outcome == CheckOutcome.NotLinearizable) ? CheckOutcome.NotLinearizable
            : errors.Count > 0 ? CheckOutcome.Malformed
            : ordered.Any(r => r.Outcome == CheckOutcome.Unknown) ? CheckOutcome.Unknown
            : CheckOutcome.Linearizable;
        return new CheckResult(outcome, ordered, errors, Stopwatch.GetElapsedTime(started));
    }

    private static KeyCheckResult CheckKey(
        string key, IReadOnlyList<HistoryOperation> history, List<int> indexes, CheckerOptions options, CancellationToken cancellationToken)
        => new KeySearch(KeyHistory.Create(key, history, indexes, options.UnknownEffectWindow), options, cancellationToken).Run();
}
