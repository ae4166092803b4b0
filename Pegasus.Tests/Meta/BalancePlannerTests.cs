using Pegasus.Meta.Balancing;
using Pegasus.Meta.State;
using Pegasus.Meta.Tables;

namespace Pegasus.Tests.Meta;

/// <summary>
/// The balance planner and the trim rule, as pure functions. <see cref="Simulate"/> plays plans out the way the
/// cluster does (swaps at once; learners join, then the trim rule runs with the counts of that moment) and checks at
/// every step that no partition has fewer serving copies than it should.
/// </summary>
public sealed class BalancePlannerTests
{
    private const string A = "http://a:1";
    private const string B = "http://b:1";
    private const string C = "http://c:1";
    private const string D = "http://d:1";
    private const string E = "http://e:1";

    [Fact]
    public void Plan_ThreeBalancedNodes_PlansNothing()
    {
        var table = Placed(1, partitions: 8, replicas: 3, [A, B, C]);

        var plan = BalancePlanner.Plan([table], [A, B, C], 8);

        Assert.Empty(plan.Moves);
        Assert.True(plan.IsBalanced);
        Assert.Null(plan.Blocked);
    }

    [Fact]
    public void Plan_AnEmptyFourthNode_MovesReplicasOntoIt()
    {
        var table = Placed(1, partitions: 8, replicas: 3, [A, B, C]);

        var plan = BalancePlanner.Plan([table], [A, B, C, D], 8);

        // 24 copies over 4 nodes: 6 each, so 6 go to D, 2 from each of the others.
        Assert.Equal(6, plan.Moves.Count);
        Assert.All(plan.Moves, move => Assert.Equal(BalanceMoveKind.Replica, move.Kind));
        Assert.All(plan.Moves, move => Assert.Equal(D, move.To));
        Assert.Equal(6, plan.Moves.Select(m => m.PartitionIndex).Distinct().Count());
        Assert.All(plan.Moves.GroupBy(m => m.From), group => Assert.Equal(2, group.Count()));
        Assert.All(plan.Moves, move => Assert.Equal(table.Partitions[move.PartitionIndex].Configuration.Ballot, move.Ballot));

        // Played out: copies even, and then the primaries follow (D gets its share by swaps).
        var final = Simulate([table], [A, B, C, D], 8, out var rounds);
        AssertEven(final, [A, B, C, D]);
        Assert.InRange(rounds, 2, 4);
    }

    [Fact]
    public void Plan_SkewedPrimaries_PlansRoleSwapsOnly()
    {
        // Every node holds every partition; A leads them all.
        var table = Table(1, [.. Enumerable.Range(0, 6).Select(i => Partition(i, A, B, C))]);

        var plan = BalancePlanner.Plan([table], [A, B, C], 8);

        Assert.Equal(4, plan.Moves.Count);
        Assert.All(plan.Moves, move =>
        {
            Assert.Equal(BalanceMoveKind.Primary, move.Kind);
            Assert.Equal(A, move.From);
        });
        Assert.Equal(2, plan.Moves.Count(m => m.To == B));
        Assert.Equal(2, plan.Moves.Count(m => m.To == C));
        var final = Simulate([table], [A, B, C], 8, out var rounds);
        Assert.Equal(1, rounds);
        AssertEven(final, [A, B, C]);
    }

    [Fact]
    public void Plan_NoDirectSwap_MovesAPrimaryAlongAChain()
    {
        // A leads two partitions that C does not hold; B leads one C holds: A -> B (p0), then B -> C (p2).
        var table = Table(1, [Partition(0, A, B), Partition(1, A, B), Partition(2, B, C)]);

        var plan = BalancePlanner.Plan([table], [A, B, C], 8);

        Assert.Equal(
            [new BalanceMove(1, 0, 5, BalanceMoveKind.Primary, A, B), new BalanceMove(1, 2, 5, BalanceMoveKind.Primary, B, C)],
            plan.Moves.Where(m => m.Kind == BalanceMoveKind.Primary));

        // The chain moves one primary and ends at once: it counts as one move, so a budget of one still allows it.
        Assert.Equal(2, BalancePlanner.Plan([table], [A, B, C], 1).Moves.Count(m => m.Kind == BalanceMoveKind.Primary));
    }

    [Fact]
    public void Plan_APartitionShortOfCopies_BlocksEveryMove()
    {
        var table = Placed(1, partitions: 8, replicas: 3, [A, B, C]);
        var partitions = table.Partitions.ToList();
        var short0 = partitions[0].Configuration;
        partitions[0] = partitions[0] with { Configuration = short0 with { Secondaries = [short0.Secondaries[0]] } };

        var plan = BalancePlanner.Plan([table with { Partitions = partitions }], [A, B, C, D], 8);

        Assert.Empty(plan.Moves);
        Assert.False(plan.IsBalanced);
        Assert.Contains("1.0 has 2 of 3 copies", plan.Blocked, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_APartitionRecoveringWithALearner_BlocksEveryMove()
    {
        var table = Placed(1, partitions: 8, replicas: 3, [A, B, C]);
        var partitions = table.Partitions.ToList();
        var first = partitions[0].Configuration;
        partitions[0] = partitions[0] with { Configuration = first with { Secondaries = [first.Secondaries[0]], Learners = [D] } };

        var plan = BalancePlanner.Plan([table with { Partitions = partitions }], [A, B, C, D], 8);

        Assert.Empty(plan.Moves);
        Assert.NotNull(plan.Blocked);
    }

    [Fact]
    public void Plan_AMemberNotAlive_BlocksEveryMove()
    {
        var table = Placed(1, partitions: 8, replicas: 3, [A, B, C]);

        var plan = BalancePlanner.Plan([table], [A, B, D], 8);

        Assert.Empty(plan.Moves);
        Assert.Contains(C, plan.Blocked, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_APartitionWithALearner_IsNotMovedAndUsesTheBudget()
    {
        var table = Placed(1, partitions: 8, replicas: 3, [A, B, C]);
        var partitions = table.Partitions.ToList();
        partitions[3] = partitions[3] with { Configuration = partitions[3].Configuration with { Learners = [D] } };
        table = table with { Partitions = partitions };

        var plan = BalancePlanner.Plan([table], [A, B, C, D], 3);

        Assert.Equal(1, plan.InFlight);
        Assert.Equal(2, plan.Moves.Count);
        Assert.DoesNotContain(plan.Moves, move => move.PartitionIndex == 3);

        // The learner's copy is counted where it will end: D needs 5 more, not 6.
        Assert.Equal(5, BalancePlanner.Plan([table], [A, B, C, D], 100).Moves.Count);
    }

    [Fact]
    public void Plan_APartitionWithACopyInExcess_IsNotMoved()
    {
        var table = Placed(1, partitions: 8, replicas: 3, [A, B, C]);
        var partitions = table.Partitions.ToList();
        var joined = partitions[2].Configuration;
        partitions[2] = partitions[2] with { Configuration = joined with { Secondaries = [.. joined.Secondaries, D] } };

        var plan = BalancePlanner.Plan([table with { Partitions = partitions }], [A, B, C, D], 100);

        Assert.Equal(1, plan.InFlight);
        Assert.Equal(5, plan.Moves.Count);
        Assert.DoesNotContain(plan.Moves, move => move.PartitionIndex == 2);
    }

    [Fact]
    public void Plan_APartitionNotSynced_IsNotMoved()
    {
        var table = Table(1, [.. Enumerable.Range(0, 6).Select(i => Partition(i, A, B, C))]);
        var partitions = table.Partitions.Select(p => p with { Synced = p.Configuration.PartitionIndex >= 4 }).ToList();

        var plan = BalancePlanner.Plan([table with { Partitions = partitions }], [A, B, C], 8);

        Assert.All(plan.Moves, move => Assert.True(move.PartitionIndex >= 4));
        Assert.Equal(2, plan.Moves.Count);
    }

    [Fact]
    public void Plan_ASecondaryThatCannotLead_GetsNoPrimary()
    {
        var table = Table(1, [.. Enumerable.Range(0, 6).Select(i => Partition(i, A, B, C))]);
        var partitions = table.Partitions.Select(p => p with { CanLead = new HashSet<string>([B]) }).ToList();

        var plan = BalancePlanner.Plan([table with { Partitions = partitions }], [A, B, C], 8);

        Assert.All(plan.Moves, move => Assert.Equal(B, move.To));
        Assert.Equal(3, plan.Moves.Count);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 5)]
    public void Plan_IsBoundedByMaxConcurrentMoves(int maxMoves, int expected)
    {
        var table = Placed(1, partitions: 8, replicas: 3, [A, B, C]);

        var plan = BalancePlanner.Plan([table], [A, B, C, D], maxMoves);

        Assert.Equal(expected, plan.Moves.Count);
        var final = Simulate([table], [A, B, C, D], maxMoves, out _);
        AssertEven(final, [A, B, C, D]);
    }

    [Fact]
    public void Plan_SingleCopyTable_MovesCopiesThroughASwap()
    {
        var table = Table(1, [.. Enumerable.Range(0, 6).Select(i => Partition(i, i % 2 == 0 ? A : B))]);

        var plan = BalancePlanner.Plan([table], [A, B, C], 8);

        Assert.Equal(2, plan.Moves.Count);
        Assert.All(plan.Moves, move => Assert.Equal(C, move.To));
        var final = Simulate([table], [A, B, C], 8, out _);
        AssertEven(final, [A, B, C]);
    }

    [Fact]
    public void Plan_TwoTables_BalancesEachAndTheTotals()
    {
        var first = Placed(1, partitions: 4, replicas: 1, [A, B, C]);
        var second = Placed(2, partitions: 4, replicas: 1, [A, B, C]);

        var final = Simulate([first, second], [A, B, C, D, E], 8, out _);

        AssertEven(final, [A, B, C, D, E]);
        var totals = new[] { A, B, C, D, E }.Select(n => final.Sum(t => t.Partitions.Count(p => p.Configuration.Members.Contains(n)))).ToList();
        Assert.InRange(totals.Max() - totals.Min(), 0, 1);
    }

    [Fact]
    public void ChooseTrim_RemovesTheMostLoadedSecondary()
    {
        var partition = Config(0, A, [B, C, D], max: 3);
        var load = Load((A, 5), (B, 6), (C, 7), (D, 3));

        Assert.Equal(new TrimStep(C, null), BalancePlanner.ChooseTrim(1, partition, load, _ => true));
    }

    [Fact]
    public void ChooseTrim_TheMostLoadedIsThePrimary_SwapsFirst()
    {
        var partition = Config(0, A, [B, C, D], max: 3);
        var load = Load((A, 8), (B, 6), (C, 6), (D, 3));
        load.AddPrimary(1, B, 2);
        load.AddPrimary(1, C, 1);

        // C has fewer primaries than B; D has none but may not lead yet.
        Assert.Equal(new TrimStep(A, C), BalancePlanner.ChooseTrim(1, partition, load, s => s != D));
        Assert.Null(BalancePlanner.ChooseTrim(1, partition, load, _ => false));

        var swapped = BalancePlanner.Swap(partition, C);
        Assert.Equal(C, swapped.Primary);
        Assert.Equal([B, A, D], swapped.Secondaries);
        Assert.Equal(new TrimStep(A, null), BalancePlanner.ChooseTrim(1, swapped, load, _ => true));
    }

    [Fact]
    public void ChooseTrim_NeverWhileLearningOrAtTheReplicaCount()
    {
        var load = Load((A, 9), (B, 9), (C, 9), (D, 1));

        Assert.Null(BalancePlanner.ChooseTrim(1, Config(0, A, [B, C], max: 3), load, _ => true));
        Assert.Null(BalancePlanner.ChooseTrim(1, Config(0, A, [B, C, D], max: 3) with { Learners = [E] }, load, _ => true));
        Assert.Null(BalancePlanner.ChooseTrim(1, Config(0, A, [B], max: 3) with { Learners = [D] }, load, _ => true));
    }

    [Fact]
    public void ChooseTrim_AmongEquals_KeepsTheNewestSecondary()
        => Assert.Equal(new TrimStep(B, null), BalancePlanner.ChooseTrim(1, Config(0, A, [B, C, D], max: 3), Load((A, 4), (B, 4), (C, 4), (D, 4)), _ => true));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Plan_RandomLayouts_ConvergeWithoutEverLosingACopy(int seed)
    {
        var random = new Random(seed);
        var nodes = new[] { A, B, C, D, E, "http://f:1" }.Take(random.Next(3, 7)).ToArray();
        var initial = nodes.Take(Math.Max(2, nodes.Length - random.Next(0, 3))).ToArray();
        var tables = new List<BalanceTable>();
        for (var t = 1; t <= random.Next(1, 4); t++)
        {
            var replicas = random.Next(1, Math.Min(3, initial.Length) + 1);
            var partitions = 1 << random.Next(1, 5);
            tables.Add(Table(t, [.. Enumerable.Range(0, partitions).Select(i =>
            {
                var members = initial.OrderBy(_ => random.Next()).Take(replicas).ToArray();
                return Partition(i, members[0], members[1..]);
            })]));
        }

        var final = Simulate(tables, nodes, random.Next(1, 9), out _);

        // Copies and primaries even within each table (the planner also evens the totals where it can).
        AssertEven(final, nodes);
    }

    /// <summary>
    /// Plays plans out until one is balanced: primary moves swap at once; replica moves add a learner, and after every
    /// plan each learner in turn joins and the trim rule runs on its partition with the counts of that moment.
    /// </summary>
    private static List<BalanceTable> Simulate(IReadOnlyList<BalanceTable> tables, string[] alive, int maxMoves, out int rounds)
    {
        var state = tables.ToList();
        for (rounds = 0; rounds < 100; rounds++)
        {
            var plan = BalancePlanner.Plan(state, alive, maxMoves);
            Assert.Null(plan.Blocked);
            if (plan.IsBalanced)
            {
                return state;
            }

            Assert.NotEmpty(plan.Moves);
            Assert.InRange(plan.Moves.Count(m => m.Kind == BalanceMoveKind.Replica), 0, maxMoves);
            Assert.Equal(plan.Moves.Count, plan.Moves.Select(m => (m.AppId, m.PartitionIndex)).Distinct().Count());
            foreach (var move in plan.Moves)
            {
                Change(state, move.AppId, move.PartitionIndex, current =>
                {
                    Assert.Equal(move.Ballot, current.Ballot);
                    return move.Kind == BalanceMoveKind.Primary
                        ? BalancePlanner.Swap(current, move.To)
                        : current with { Learners = [move.To] };
                });
            }

            foreach (var move in plan.Moves.Where(m => m.Kind == BalanceMoveKind.Replica))
            {
                Change(state, move.AppId, move.PartitionIndex, current => current with { Secondaries = [.. current.Secondaries, move.To], Learners = [] });
                while (true)
                {
                    var load = BalanceLoad.Of(state.SelectMany(t => t.Partitions.Select(p => (t.AppId, p.Configuration))));
                    var current = state.Single(t => t.AppId == move.AppId).Partitions[move.PartitionIndex].Configuration;
                    if (BalancePlanner.ChooseTrim(move.AppId, current, load, _ => true) is not { } trim)
                    {
                        break;
                    }

                    Change(state, move.AppId, move.PartitionIndex, c => trim.NewPrimary is { } next
                        ? BalancePlanner.Swap(c, next)
                        : c with { Secondaries = [.. c.Secondaries.Where(s => s != trim.Victim)] });
                }
            }
        }

        Assert.Fail("The plans did not converge within 100 rounds.");
        return state;
    }

    private static void Change(List<BalanceTable> state, int appId, int partitionIndex, Func<PartitionConfigurationRecord, PartitionConfigurationRecord> change)
    {
        var index = state.FindIndex(t => t.AppId == appId);
        var partitions = state[index].Partitions.ToList();
        var next = change(partitions[partitionIndex].Configuration) with { Ballot = partitions[partitionIndex].Configuration.Ballot + 1 };
        Assert.True(next.ServingCount >= next.MaxReplicaCount, $"partition {appId}.{partitionIndex} fell to {next.ServingCount} copies");
        Assert.Equal(next.Members.Count(), next.Members.Distinct().Count());
        partitions[partitionIndex] = new BalancePartition(next, Synced: true, CanLead: next.Secondaries.ToHashSet());
        state[index] = state[index] with { Partitions = partitions };
    }

    private static void AssertEven(IReadOnlyList<BalanceTable> tables, string[] nodes)
    {
        foreach (var table in tables)
        {
            var copies = nodes.Select(n => table.Partitions.Count(p => p.Configuration.Members.Contains(n))).ToList();
            Assert.InRange(copies.Max() - copies.Min(), 0, 1);
            var primaries = nodes.Select(n => table.Partitions.Count(p => p.Configuration.Primary == n)).ToList();
            Assert.InRange(primaries.Max() - primaries.Min(), 0, 1);
            Assert.All(table.Partitions, p => Assert.Equal(p.Configuration.MaxReplicaCount, p.Configuration.ServingCount));
        }
    }

    private static BalanceTable Placed(int appId, int partitions, int replicas, string[] nodes)
    {
        var placed = PartitionPlacement.AssignReplicas(partitions, replicas, nodes, new Dictionary<string, int>());
        return Table(appId, [.. placed.Select((members, i) => Partition(i, members[0], members[1..]))]);
    }

    private static BalanceTable Table(int appId, IReadOnlyList<BalancePartition> partitions) => new(appId, "t" + appId, partitions);

    private static BalancePartition Partition(int index, string primary, params string[] secondaries)
        => new(Config(index, primary, secondaries, max: secondaries.Length + 1), Synced: true, CanLead: secondaries.ToHashSet());

    private static PartitionConfigurationRecord Config(int index, string primary, string[] secondaries, int max)
        => new(index, Ballot: 5, primary, secondaries, max);

    private static BalanceLoad Load(params (string Node, int Replicas)[] counts)
    {
        var load = new BalanceLoad();
        foreach (var (node, replicas) in counts)
        {
            load.AddReplica(1, node, replicas);
        }

        return load;
    }
}
