using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Checking;

/// <summary>
/// The rules the checker relies on besides each operation's own: a process never has two operations
/// in flight. An unknown operation (or a failed one without a return) does not hold its process, as
/// in the project's format checker: the process may go on while the request is lost in the cluster.
/// </summary>
internal static class HistoryWellFormedness
{
    /// <summary>Finds the violations; <paramref name="usable"/> marks the operations that follow the format rules.</summary>
    public static List<HistoryError> FindErrors(IReadOnlyList<HistoryOperation> operations, out bool[] usable)
    {
        var errors = new List<HistoryError>();
        usable = new bool[operations.Count];
        var byProcess = new Dictionary<int, List<int>>();
        for (var i = 0; i < operations.Count; i++)
        {
            var operation = operations[i];
            if (operation is null)
            {
                throw new ArgumentException($"The history holds null at {i}.", nameof(operations));
            }

            if (HistoryOperationRules.FindProblem(operation) is { } problem)
            {
                errors.Add(new HistoryError(i, operation, problem));
                continue;
            }

            usable[i] = true;
            if (!byProcess.TryGetValue(operation.Process, out var list))
            {
                byProcess[operation.Process] = list = [];
            }

            list.Add(i);
        }

        foreach (var (process, indexes) in byProcess)
        {
            indexes.Sort((a, b) => operations[a].Call != operations[b].Call ? operations[a].Call.CompareTo(operations[b].Call) : a.CompareTo(b));
            // The latest return among the process's operations that hold it until they return.
            long busyUntil = long.MinValue;
            var busyWith = -1;
            foreach (var i in indexes)
            {
                var operation = operations[i];
                if (busyWith >= 0 && operation.Call < busyUntil)
                {
                    errors.Add(new HistoryError(i, operation,
                        $"process {process} has two operations in flight (#{busyWith} returns at {busyUntil})"));
                }

                if (operation.Status != HistoryStatus.Unknown && operation.Return is { } ret && ret > busyUntil)
                {
                    busyUntil = ret;
                    busyWith = i;
                }
            }
        }

        errors.Sort((a, b) => a.Index.CompareTo(b.Index));
        return errors;
    }
}
