using System.Globalization;
using Pegasus.Chaos.History;

namespace Pegasus.Tests.Chaos;

/// <summary>
/// Generates linearizable histories: processes issue overlapping operations against simulated
/// registers, each taking effect at a random instant inside its interval (or, for unknown ones,
/// possibly long after or never), so the instants are a linearization by construction.
/// </summary>
internal sealed class RegisterHistoryGenerator(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Builds a history.</summary>
    /// <param name="operations">How many operations in all.</param>
    /// <param name="keys">How many keys (registers).</param>
    /// <param name="processes">How many concurrent processes.</param>
    /// <param name="unknownRate">The share of operations that end unknown.</param>
    public List<HistoryOperation> Generate(int operations, int keys, int processes, double unknownRate)
    {
        // First the intervals and effect instants, then the results in effect order.
        var planned = new List<Planned>(operations);
        var clock = new long[processes];
        for (var i = 0; i < operations; i++)
        {
            var process = _random.Next(processes);
            var call = clock[process] + _random.Next(1, 50);
            var ret = call + _random.Next(1, 300);
            var key = $"hk{_random.Next(keys)}/sk";
            var roll = _random.NextDouble();
            var status = roll < unknownRate ? HistoryStatus.Unknown : roll < unknownRate + 0.02 ? HistoryStatus.Fail : HistoryStatus.Ok;
            long? effect = status switch
            {
                HistoryStatus.Ok => _random.NextInt64(call, ret + 1),
                // An unknown operation may land after its client gave up, or never.
                HistoryStatus.Unknown when _random.Next(2) == 0 => call + _random.Next(0, 2000),
                _ => null,
            };
            planned.Add(new Planned(process, key, NextKind(), call, ret, status, effect, i));
            clock[process] = ret;
        }

        var registers = new Dictionary<string, string?>();
        var written = new Dictionary<string, List<string>>();
        var results = new HistoryOperation[operations];
        foreach (var op in planned.OrderBy(p => p.Effect ?? long.MaxValue).ThenBy(p => p.Order))
        {
            results[op.Order] = Apply(op, registers, written);
        }

        return [.. results];
    }

    private HistoryOpKind NextKind() => _random.Next(100) switch
    {
        < 40 => HistoryOpKind.Get,
        < 62 => HistoryOpKind.Set,
        < 67 => HistoryOpKind.Del,
        < 82 => HistoryOpKind.Incr,
        _ => HistoryOpKind.Cas,
    };

    private HistoryOperation Apply(Planned op, Dictionary<string, string?> registers, Dictionary<string, List<string>> written)
    {
        registers.TryGetValue(op.Key, out var current);
        if (!written.TryGetValue(op.Key, out var values))
        {
            written[op.Key] = values = [];
        }

        var applied = op.Effect is not null;
        var ret = op.Status == HistoryStatus.Unknown && _random.Next(2) == 0 ? (long?)null : op.Ret;
        var result = (string?)null;
        string? value = null;
        string? expect = null;
        long? delta = null;
        switch (op.Kind)
        {
            case HistoryOpKind.Get:
                result = current;
                break;
            case HistoryOpKind.Set:
                // Some numbers, so incrs have something to work on after a set.
                value = _random.Next(4) == 0 ? _random.Next(100).ToString(CultureInfo.InvariantCulture) : $"p{op.Process}-{op.Order}";
                if (applied)
                {
                    registers[op.Key] = value;
                    values.Add(value);
                }

                break;
            case HistoryOpKind.Del:
                if (applied)
                {
                    registers[op.Key] = null;
                }

                break;
            case HistoryOpKind.Incr:
                delta = _random.Next(-3, 10);
                if (current is not null && !long.TryParse(current, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    // The server refuses to increment text: the operation fails and has no effect.
                    return new(op.Process, op.Key, op.Kind, null, null, delta, op.Call, op.Ret, HistoryStatus.Fail, null, "not an integer");
                }

                var next = (current is null ? 0 : long.Parse(current, CultureInfo.InvariantCulture)) + delta.Value;
                result = next.ToString(CultureInfo.InvariantCulture);
                if (applied)
                {
                    registers[op.Key] = result;
                }

                break;
            default:
                value = $"p{op.Process}-{op.Order}";
                // Expect the current value half the time, so both outcomes are common.
                expect = _random.Next(2) == 0 ? current : values.Count > 0 && _random.Next(3) > 0 ? values[_random.Next(values.Count)] : null;
                var succeeds = expect == current;
                result = succeeds ? "true" : "false";
                if (applied && succeeds)
                {
                    registers[op.Key] = value;
                    values.Add(value);
                }

                break;
        }

        return op.Status == HistoryStatus.Ok
            ? new(op.Process, op.Key, op.Kind, value, expect, delta, op.Call, op.Ret, op.Status, result)
            : new(op.Process, op.Key, op.Kind, value, expect, delta, op.Call, ret, op.Status, null);
    }

    private readonly record struct Planned(int Process, string Key, HistoryOpKind Kind, long Call, long Ret, HistoryStatus Status, long? Effect, int Order);
}
