using System.Diagnostics;
using Pegasus.Chaos.Checking;
using Pegasus.Chaos.History;

namespace Pegasus.Tests.Chaos;

public sealed class LinearizabilityRandomTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Check_GeneratedLinearizableHistory_Passes(int seed)
    {
        var history = new RegisterHistoryGenerator(seed).Generate(operations: 3000, keys: 10, processes: 12, unknownRate: 0.03);
        var result = LinearizabilityChecker.Check(history, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.Outcome == CheckOutcome.Linearizable, result.Describe());
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Check_ReadMutatedToValueNeverWritten_Fails(int seed)
    {
        var history = new RegisterHistoryGenerator(seed).Generate(operations: 3000, keys: 10, processes: 12, unknownRate: 0.03);
        var random = new Random(seed);
        var reads = Enumerable.Range(0, history.Count)
            .Where(i => history[i] is { Op: HistoryOpKind.Get, Status: HistoryStatus.Ok })
            .ToArray();
        var mutated = reads[random.Next(reads.Length)];
        history[mutated] = history[mutated] with { Result = "never-written" };

        var result = LinearizabilityChecker.Check(history, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.Outcome == CheckOutcome.NotLinearizable, result.Describe());
        var failed = Assert.Single(result.NotLinearizableKeys);
        Assert.Equal(history[mutated].Key, failed.Key);
        Assert.Equal(mutated, failed.Failure!.UnplacedIndex);
    }

    [Fact]
    public void Check_GeneratedHistory_PassesTheFormatRules()
    {
        var history = new RegisterHistoryGenerator(7).Generate(operations: 2000, keys: 5, processes: 8, unknownRate: 0.05);
        var result = LinearizabilityChecker.Check(history, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(result.Errors);
        var lines = HistoryJsonTests.WriteLines(history);
        Assert.Equal(history, lines.Select(l => HistoryReader.Parse(l)));
    }

    [Fact]
    public void Check_20kOperations200Keys3PercentUnknown_IsFast()
    {
        var history = new RegisterHistoryGenerator(42).Generate(operations: 20_000, keys: 200, processes: 64, unknownRate: 0.03);
        var started = Stopwatch.GetTimestamp();
        var result = LinearizabilityChecker.Check(history, cancellationToken: TestContext.Current.CancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.True(result.Outcome == CheckOutcome.Linearizable, result.Describe());
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"20k ops, 200 keys: {elapsed.TotalMilliseconds:0} ms, {result.Keys.Sum(k => k.Steps)} steps, max key {result.Keys.Max(k => k.Elapsed.TotalMilliseconds):0.0} ms");
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"took {elapsed}");
    }
}
