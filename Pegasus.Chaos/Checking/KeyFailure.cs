using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Checking;

/// <summary>Where the search for a key's linearization got stuck: the deepest point it reached.</summary>
/// <param name="LinearizedCompleted">How many completed (ok) operations the longest linearizable prefix holds.</param>
/// <param name="Completed">How many completed operations the key has.</param>
/// <param name="LinearizedTail">The last operations of that prefix, in linearization order (unknown ones included).</param>
/// <param name="Value">The register after the prefix; null: absent.</param>
/// <param name="Unplaced">The completed operation that returned before it could be placed after the prefix.</param>
/// <param name="UnplacedIndex">Its position in the checked list.</param>
/// <param name="Candidates">The operations that could have come next (all of them were tried).</param>
/// <param name="Explanation">All of the above as text.</param>
public sealed record KeyFailure(
    int LinearizedCompleted,
    int Completed,
    IReadOnlyList<HistoryOperation> LinearizedTail,
    string? Value,
    HistoryOperation Unplaced,
    int UnplacedIndex,
    IReadOnlyList<HistoryOperation> Candidates,
    string Explanation);
