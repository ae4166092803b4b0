using Pegasus.Chaos.Checking;
using Pegasus.Chaos.History;

namespace Pegasus.Tests.Chaos;

/// <summary>The checker against <see cref="ReferenceLinearizability"/> on many tiny random histories, good and bad.</summary>
public sealed class LinearizabilityReferenceTests
{
    private static readonly string?[] Values = [null, "a", "b", "1", "2", ""];

    [Theory]
    [InlineData(1, 4, 10, null)]
    [InlineData(2, 6, 10, null)]
    [InlineData(3, 8, 10, null)]
    [InlineData(4, 12, 35, null)]
    [InlineData(5, 14, 50, null)]
    [InlineData(6, 12, 35, 6)]
    [InlineData(7, 14, 50, 3)]
    public void Check_TinyRandomHistories_AgreesWithReference(int seed, int maxOperations, int unknownPercent, int? windowNanoseconds)
    {
        var random = new Random(seed);
        var verdicts = new int[2];
        for (var round = 0; round < 1000; round++)
        {
            var history = RandomHistory(random, random.Next(1, maxOperations + 1), unknownPercent);
            var expected = ReferenceLinearizability.IsLinearizable(history, windowNanoseconds);
            var options = new CheckerOptions
            {
                MaxDegreeOfParallelism = 1,
                // Ticks are 100 ns: the window is whole ticks in checker terms, times in the history are scaled to match.
                UnknownEffectWindow = windowNanoseconds is { } w ? TimeSpan.FromTicks(w) : null,
            };
            var result = LinearizabilityChecker.Check(Scaled(history, windowNanoseconds is null ? 1 : 100), options, TestContext.Current.CancellationToken);
            var actual = result.Outcome switch
            {
                CheckOutcome.Linearizable => true,
                CheckOutcome.NotLinearizable => false,
                _ => throw new InvalidOperationException(result.Describe()),
            };
            Assert.True(expected == actual, $"round {round}: reference says {expected}, checker {result.Describe()}\n{string.Join("\n", history.Select(OperationText.Format))}");
            verdicts[expected ? 1 : 0]++;
        }

        // Both verdicts must be common, or the comparison proves little.
        Assert.True(verdicts.Min() > 100, $"not linearizable {verdicts[0]}, linearizable {verdicts[1]}");
    }

    private static List<HistoryOperation> RandomHistory(Random random, int count, int unknownPercent)
    {
        var history = new List<HistoryOperation>(count);
        for (var i = 0; i < count; i++)
        {
            var call = (long)random.Next(0, 2 * count + 4);
            var ret = call + random.Next(0, 8);
            var roll = random.Next(100);
            var status = roll < unknownPercent ? HistoryStatus.Unknown : roll < unknownPercent + 10 ? HistoryStatus.Fail : HistoryStatus.Ok;
            var ok = status == HistoryStatus.Ok;
            long? returned = ok || random.Next(2) == 0 ? ret : null;
            var kind = (HistoryOpKind)random.Next(5);
            // One process per operation: only the register semantics are under test here.
            history.Add(kind switch
            {
                HistoryOpKind.Get => new(i, "k", kind, null, null, null, call, returned, status, ok ? Pick(random) : null),
                // Some values nobody reads: the checker merges those.
                HistoryOpKind.Set => new(i, "k", kind, random.Next(3) == 0 ? $"u{i}" : Pick(random) ?? "a", null, null, call, returned, status, null),
                HistoryOpKind.Del => new(i, "k", kind, null, null, null, call, returned, status, null),
                HistoryOpKind.Incr => new(i, "k", kind, null, null, random.Next(0, 3), call, returned, status, ok ? random.Next(0, 4).ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
                _ => new(i, "k", kind, random.Next(3) == 0 ? $"u{i}" : Pick(random) ?? "b", Pick(random), null, call, returned, status, ok ? (random.Next(2) == 0 ? "true" : "false") : null),
            });
        }

        return history;
    }

    /// <summary>Multiplies every time, so a window of w ticks (100w ns) matches a reference window of w time units.</summary>
    private static List<HistoryOperation> Scaled(List<HistoryOperation> history, long factor)
        => [.. history.Select(o => o with { Call = o.Call * factor, Return = o.Return * factor })];

    private static string? Pick(Random random) => Values[random.Next(Values.Length)];
}
