using Pegasus.Chaos.Checking;
using Pegasus.Chaos.History;
using static Pegasus.Tests.Chaos.HistoryOps;

namespace Pegasus.Tests.Chaos;

public sealed class LinearizabilityCheckerTests
{
    private const HistoryStatus Unknown = HistoryStatus.Unknown;
    private const HistoryStatus Fail = HistoryStatus.Fail;

    [Fact]
    public void Check_Sequential_Linearizable()
        => AssertLinearizable(
            Get(0, null, 0, 10),
            Set(0, "a", 20, 30),
            Get(1, "a", 40, 50),
            Set(1, "b", 60, 70),
            Get(0, "b", 80, 90),
            Del(0, 100, 110),
            Get(1, null, 120, 130));

    [Fact]
    public void Check_ConcurrentSetsAndGets_LegalOrder_Linearizable()
        => AssertLinearizable(
            Set(0, "a", 0, 100),
            Set(1, "b", 10, 90),
            Get(2, "b", 20, 30),   // b went first,
            Get(3, "a", 40, 50),   // then a,
            Get(2, "a", 110, 120), // and a is last.
            Get(4, null, 5, 200)); // A read overlapping everything may still see the start.

    [Fact]
    public void Check_ReadConcurrentWithWrite_SeesOldOrNew_Linearizable()
        => AssertLinearizable(
            Set(0, "old", 0, 10),
            Set(1, "new", 20, 60),
            Get(2, "old", 25, 35),
            Get(3, "new", 30, 40),
            Get(2, "new", 70, 80));

    [Fact]
    public void Check_UnknownWriteThatHappened_Linearizable()
        => AssertLinearizable(
            Set(0, "a", 0, 10),
            Set(1, "b", 20, 30, Unknown),
            Get(2, "a", 40, 50),  // Not applied yet,
            Get(2, "b", 500, 510), // applied long after the client gave up.
            Get(3, "b", 600, 610));

    [Fact]
    public void Check_UnknownWriteThatDidNotHappen_Linearizable()
        => AssertLinearizable(
            Set(0, "a", 0, 10),
            Set(1, "b", 20, null, Unknown),
            Del(1, 25, 35, Unknown),
            Get(2, "a", 40, 50),
            Set(0, "c", 60, 70),
            Get(2, "c", 80, 90));

    [Fact]
    public void Check_UnknownWriteSeenLate_LinearizableOnlyWithoutAWindowOrAWideOne()
    {
        HistoryOperation[] history =
        [
            Set(0, "a", 0, 10),
            Set(1, "b", 20, null, Unknown),
            Get(2, "a", 3000, 3010),
            Get(2, "b", 5000, 5010),
        ];
        Assert.Equal(CheckOutcome.Linearizable, Check(history, null).Outcome);
        Assert.Equal(CheckOutcome.Linearizable, Check(history, TimeSpan.FromMilliseconds(1)).Outcome);
        // 100 ticks = 10 µs: the write may land after the read called at 3000 ns; with 1 µs it may not.
        Assert.Equal(CheckOutcome.Linearizable, Check(history, TimeSpan.FromTicks(100)).Outcome);
        Assert.Equal(CheckOutcome.NotLinearizable, Check(history, TimeSpan.FromMicroseconds(1)).Outcome);

        static CheckResult Check(HistoryOperation[] history, TimeSpan? window)
            => LinearizabilityChecker.Check(history, new CheckerOptions { UnknownEffectWindow = window }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Check_FailedOperations_Ignored()
        => AssertLinearizable(
            Set(0, "a", 0, 10, Fail),
            Get(1, null, 20, 30),
            Del(0, 40, null, Fail),
            Set(0, "b", 50, 60),
            Get(1, "b", 70, 80));

    [Fact]
    public void Check_IncrChain_Linearizable()
        => AssertLinearizable(
            Incr(0, 1, 1, 0, 10),
            Incr(0, 2, 3, 20, 30),
            Incr(1, 1, 5, 40, 60), // Two concurrent incrs, in either order.
            Incr(2, 1, 4, 45, 55),
            Get(0, "5", 70, 80),
            Incr(1, 10, null, 90, null), // Unknown, and it happened:
            Incr(0, -1, 14, 100, 110));

    [Fact]
    public void Check_IncrOfNonInteger_NotLinearizable()
        => AssertNotLinearizable("k",
            Set(0, "text", 0, 10),
            Incr(1, 1, 1, 20, 30));

    [Fact]
    public void Check_CasSuccessAndFailure_Linearizable()
        => AssertLinearizable(
            Cas(0, null, "a", true, 0, 10),
            Cas(1, null, "b", false, 20, 30),
            Cas(0, "a", "c", true, 40, 50),
            Cas(1, "a", "d", false, 60, 70),
            Cas(2, "c", "e", null, 75, null), // Unknown; did not happen.
            Get(0, "c", 80, 90));

    [Fact]
    public void Check_IndependentKeys_EachLinearizable()
        => AssertLinearizable(
            Set(0, "a", 0, 10, key: "x"),
            Set(1, "a", 0, 10, key: "y"),
            Get(2, "a", 20, 30, key: "x"),
            Get(3, null, 20, 30, key: "z"));

    [Fact]
    public void Check_StaleRead_NotLinearizable()
    {
        var failure = AssertNotLinearizable("k",
            Set(0, "v1", 0, 10),
            Set(1, "v2", 20, 30),
            Get(2, "v1", 40, 50));
        Assert.Equal(2, failure.LinearizedCompleted);
        Assert.Equal("v2", failure.Value);
        Assert.Equal(HistoryOpKind.Get, failure.Unplaced.Op);
        Assert.Equal(2, failure.UnplacedIndex);
        Assert.Contains("it read \"v1\" but the value is \"v2\"", failure.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_StalePrimaryReadAfterNewPrimaryCommitted_NotLinearizable()
    {
        // v1 through the old primary, v2 through the new one after a failover; a read issued after v2
        // was acknowledged reaches the deposed primary, which still answers v1.
        var failure = AssertNotLinearizable("hk/sk",
            Set(0, "v1", 1000, 1900, key: "hk/sk") with { Meta = "primary r1" },
            Get(1, "v1", 2000, 2100, key: "hk/sk"),
            Set(2, "v2", 5000, 5600, key: "hk/sk") with { Meta = "primary r2 (ballot 2)" },
            Get(3, "v2", 5700, 5800, key: "hk/sk"),
            Get(1, "v1", 6000, 6100, key: "hk/sk") with { Meta = "answered by r1" },
            Set(0, "v3", 6200, 7000, key: "hk/sk"));
        Assert.Equal(4, failure.UnplacedIndex);
        Assert.Equal("v2", failure.Value);
    }

    [Fact]
    public void Check_LostAcknowledgedWrite_NotLinearizable()
    {
        var failure = AssertNotLinearizable("k",
            Set(0, "a", 0, 10),
            Set(0, "b", 20, 30),
            Get(1, "a", 40, 50));
        Assert.Equal("b", failure.Value);

        var lostFirstWrite = AssertNotLinearizable("k",
            Set(0, "a", 0, 10),
            Get(1, null, 40, 50));
        Assert.Equal("a", lostFirstWrite.Value);
    }

    [Fact]
    public void Check_UnknownWriteSeenThenUnseen_NotLinearizable()
        => AssertNotLinearizable("k",
            Set(0, "a", 0, 10),
            Set(1, "b", 20, null, Unknown),
            Get(2, "b", 40, 50),
            Get(2, "a", 60, 70));

    [Fact]
    public void Check_IncrReturnsDuplicate_NotLinearizable()
    {
        var failure = AssertNotLinearizable("n",
            Incr(0, 1, 1, 0, 10, key: "n"),
            Incr(1, 1, 2, 20, 40, key: "n"),
            Incr(2, 1, 2, 25, 45, key: "n"));
        Assert.Contains("it returned 2 but 2 + 1 = 3", failure.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CasTrueThatCouldNotSucceed_NotLinearizable()
    {
        var failure = AssertNotLinearizable("k",
            Set(0, "a", 0, 10),
            Cas(1, "b", "c", true, 20, 30));
        Assert.Contains("it succeeded expecting \"b\" but the value is \"a\"", failure.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CasFalseThatMustHaveSucceeded_NotLinearizable()
        => AssertNotLinearizable("k",
            Set(0, "a", 0, 10),
            Cas(1, "a", "c", false, 20, 30));

    [Fact]
    public void Check_ReadOfValueNeverWritten_NotLinearizable()
        => AssertNotLinearizable("k",
            Set(0, "a", 0, 10),
            Set(1, "b", 5, 15),
            Get(2, "zzz", 8, 30));

    [Fact]
    public void Check_OneBadKeyAmongGood_NamesOnlyThatKey()
    {
        var result = LinearizabilityChecker.Check(
        [
            Set(0, "a", 0, 10, key: "good"),
            Get(1, "a", 20, 30, key: "good"),
            Set(2, "a", 0, 10, key: "bad"),
            Get(3, null, 20, 30, key: "bad"),
        ], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(CheckOutcome.NotLinearizable, result.Outcome);
        Assert.Equal(["bad"], result.NotLinearizableKeys.Select(k => k.Key));
        Assert.Equal(CheckOutcome.Linearizable, result.Keys.Single(k => k.Key == "good").Outcome);
        Assert.Contains("key \"bad\": not linearizable", result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ProcessWithTwoOperationsInFlight_Malformed()
    {
        var result = LinearizabilityChecker.Check(
        [
            Set(0, "a", 0, 100),
            Get(0, "a", 50, 60),
            Set(1, "b", 200, null, Unknown),
            Get(1, "b", 210, 220), // Fine: an unknown operation does not hold its process.
        ], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(CheckOutcome.Malformed, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Equal(1, error.Index);
        Assert.Contains("process 0 has two operations in flight (#0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OperationBreakingFormatRules_ReportedAndSkipped()
    {
        var result = LinearizabilityChecker.Check(
        [
            Set(0, "a", 0, 10),
            Set(0, "b", 20, 30) with { Value = null },
            Get(1, "a", 40, 50),
        ], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(CheckOutcome.Malformed, result.Outcome);
        Assert.Equal("set needs a string value", Assert.Single(result.Errors).Message);
        Assert.Equal(CheckOutcome.Linearizable, Assert.Single(result.Keys).Outcome);
    }

    [Fact]
    public void Check_StepBudgetExceeded_Unknown()
    {
        // Many concurrent writes and a final read of a value nobody wrote: the search must try every order.
        var history = Enumerable.Range(0, 12).Select(p => Set(p, $"v{p}", 0, 100)).Append(Get(99, "none", 200, 300)).ToList();
        var result = LinearizabilityChecker.Check(history, new CheckerOptions { MaxStepsPerKey = 50 }, TestContext.Current.CancellationToken);
        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        var key = Assert.Single(result.UnknownKeys);
        Assert.Equal(51, key.Steps);
    }

    [Fact]
    public void Check_ManyConcurrentWritesThenImpossibleRead_DecidedWithinDefaultBudget()
    {
        // The memo collapses the 12! orders of the writes to the 2^12 sets of them.
        var history = Enumerable.Range(0, 12).Select(p => Set(p, $"v{p}", 0, 100)).Append(Get(99, "none", 200, 300)).ToList();
        Assert.Equal(CheckOutcome.NotLinearizable, LinearizabilityChecker.Check(history, cancellationToken: TestContext.Current.CancellationToken).Outcome);
    }

    internal static void AssertLinearizable(params HistoryOperation[] history)
    {
        var result = LinearizabilityChecker.Check(history, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.Outcome == CheckOutcome.Linearizable, result.Describe());
    }

    internal static KeyFailure AssertNotLinearizable(string key, params HistoryOperation[] history)
    {
        var result = LinearizabilityChecker.Check(history, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.Outcome == CheckOutcome.NotLinearizable, result.Describe());
        var failed = Assert.Single(result.NotLinearizableKeys);
        Assert.Equal(key, failed.Key);
        Assert.NotNull(failed.Failure);
        TestContext.Current.TestOutputHelper?.WriteLine(failed.Failure.Explanation);
        return failed.Failure;
    }
}
