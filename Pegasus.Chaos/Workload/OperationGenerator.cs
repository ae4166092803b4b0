using System.Globalization;
using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Workload;

/// <summary>The next operation of a process, before it runs.</summary>
/// <param name="Key">The key.</param>
/// <param name="Op">The operation.</param>
/// <param name="Value">The value a set or cas writes.</param>
/// <param name="Expect">The value a cas expects; null: the key must be absent.</param>
/// <param name="Delta">The increment of an incr.</param>
public readonly record struct PlannedOperation(ChaosKey Key, HistoryOpKind Op, string? Value, string? Expect, long? Delta);

/// <summary>
/// One process's seeded choice of operations: mostly reads and writes of registers, some counters. Every value it
/// writes is unique (<c>p{process}-{n}</c>), so a read names the write it saw; a cas expects the value this process last
/// saw for the key (or, sometimes, absence).
/// </summary>
/// <remarks>Not thread-safe: one per process, and a process runs one operation at a time.</remarks>
public sealed class OperationGenerator
{
    private const double CounterShare = 0.3;
    private const double NullExpectShare = 0.2;
    private const int MaxDelta = 5;

    private readonly int _process;
    private readonly KeySpace _keys;
    private readonly Random _random;

    // The value this process last read or wrote per key (null: absent); a missing entry: never seen or unsure.
    private readonly Dictionary<string, string?> _lastSeen = new(StringComparer.Ordinal);
    private long _written;

    /// <summary>Initializes a new instance of the <see cref="OperationGenerator"/> class.</summary>
    /// <param name="process">The process's number (it names the values it writes).</param>
    /// <param name="keys">The keys to choose from.</param>
    /// <param name="seed">This process's seed.</param>
    public OperationGenerator(int process, KeySpace keys, int seed)
    {
        _process = process;
        _keys = keys;
        _random = new Random(seed);
    }

    /// <summary>Chooses the next operation.</summary>
    /// <returns>The operation.</returns>
    public PlannedOperation Next()
    {
        var counters = _keys.Counters.Count > 0 && (_keys.Registers.Count == 0 || _random.NextDouble() < CounterShare);
        if (counters)
        {
            var counter = _keys.Counters[_random.Next(_keys.Counters.Count)];
            return _random.NextDouble() < 0.4
                ? new PlannedOperation(counter, HistoryOpKind.Get, null, null, null)
                : new PlannedOperation(counter, HistoryOpKind.Incr, null, null, _random.NextInt64(1, MaxDelta + 1));
        }

        var key = _keys.Registers[_random.Next(_keys.Registers.Count)];
        var roll = _random.NextDouble();
        if (roll < 0.40)
        {
            return new PlannedOperation(key, HistoryOpKind.Get, null, null, null);
        }

        if (roll < 0.65)
        {
            return new PlannedOperation(key, HistoryOpKind.Set, NewValue(), null, null);
        }

        if (roll < 0.75)
        {
            return new PlannedOperation(key, HistoryOpKind.Del, null, null, null);
        }

        // Cas: expecting what this process last saw makes success likely when no one else wrote since.
        var expect = _lastSeen.TryGetValue(key.Name, out var seen) && _random.NextDouble() >= NullExpectShare ? seen : null;
        return new PlannedOperation(key, HistoryOpKind.Cas, NewValue(), expect, null);
    }

    /// <summary>Learns from a finished operation of this process what the key holds.</summary>
    /// <param name="operation">The operation as recorded.</param>
    public void Observe(HistoryOperation operation)
    {
        if (operation.Status != HistoryStatus.Ok)
        {
            // An unknown write may or may not have happened: what this process knew about the key is stale.
            if (operation.Op != HistoryOpKind.Get)
            {
                _lastSeen.Remove(operation.Key);
            }

            return;
        }

        switch (operation.Op)
        {
            case HistoryOpKind.Get:
            case HistoryOpKind.Incr:
                _lastSeen[operation.Key] = operation.Result;
                break;
            case HistoryOpKind.Set:
                _lastSeen[operation.Key] = operation.Value;
                break;
            case HistoryOpKind.Del:
                _lastSeen[operation.Key] = null;
                break;
            case HistoryOpKind.Cas when operation.Result == "true":
                _lastSeen[operation.Key] = operation.Value;
                break;
            case HistoryOpKind.Cas:
                _lastSeen.Remove(operation.Key);
                break;
        }
    }

    private string NewValue() => string.Create(CultureInfo.InvariantCulture, $"p{_process}-{++_written}");
}
