using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Replica.Storage.StoreTestContext;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>
/// Committed decrees are applied in groups (one RocksDB write where the writes allow it). A group must give every write
/// the answer and the store the state that applying them one by one gives: a read-modify-write sees the writes before
/// it in the same group.
/// </summary>
public sealed class GroupApplyTests
{
    [Fact]
    public void ApplyWrites_MixedGroup_AnswersAndEndsAsOneByOne()
    {
        using var grouped = new StoreTestContext();
        using var single = new StoreTestContext();
        var requests = MixedWrites();

        var groupResponses = requests.Select(_ => new DataResponse()).ToArray();
        grouped.Store.ApplyWrites(1, [.. requests.Select(r => r.Clone())], groupResponses);
        var singleResponses = requests.Select(r => single.Write(r.Clone())).ToArray();

        Assert.Equal(singleResponses, groupResponses);
        Assert.Equal(requests.Count, grouped.Store.LastAppliedDecree);
        Assert.Equal(Enumerable.Range(1, requests.Count).Select(d => (long)d), groupResponses.Select(r => r.Decree));
        foreach (var sortKey in new[] { "a", "n", "b", "c" })
        {
            Assert.Equal(single.Value("hk", sortKey), grouped.Value("hk", sortKey));
        }

        // The read-modify-writes saw the writes staged before them: incr counted from 10, the check found "2".
        Assert.Equal(15, groupResponses[3].Incr.NewValue);
        Assert.Equal(ErrorCode.Ok, groupResponses[5].Error);
        Assert.Equal("3", grouped.Value("hk", "a"));
    }

    [Fact]
    public void ApplyWrites_AfterReopen_TheLastDecreeAndDataAreDurable()
    {
        using var context = new StoreTestContext();
        context.Store.ApplyWrites(1, [.. MixedWrites()], [.. MixedWrites().Select(_ => new DataResponse())]);

        context.Reopen();

        Assert.Equal(MixedWrites().Count, context.Store.LastAppliedDecree);
        Assert.Equal("15", context.Value("hk", "n"));
        Assert.Null(context.Value("hk", "b"));
    }

    [Fact]
    public void ApplyWrites_NotTheNextDecree_ChangesNothing()
    {
        using var context = new StoreTestContext();
        context.Set("hk", "a", "1");

        Assert.Throws<ArgumentOutOfRangeException>(() => context.Store.ApplyWrites(5, [Set("a", "2")], [new DataResponse()]));

        Assert.Equal(1, context.Store.LastAppliedDecree);
        Assert.Equal("1", context.Value("hk", "a"));
    }

    [Fact]
    public void ApplyWrites_AReadAmongThem_IsRefusedBeforeAnythingIsApplied()
    {
        using var context = new StoreTestContext();

        Assert.Throws<ArgumentException>(() => context.Store.ApplyWrites(
            1, [Set("a", "1"), new DataRequest { Get = new GetRequest { HashKey = B("hk"), SortKey = B("a") } }], [new DataResponse(), new DataResponse()]));

        Assert.Equal(0, context.Store.LastAppliedDecree);
        Assert.Null(context.Value("hk", "a"));
    }

    private static List<DataRequest> MixedWrites() =>
    [
        Set("a", "1"),
        Set("n", "10"),
        Set("b", "x"),
        new DataRequest { Incr = new IncrRequest { HashKey = B("hk"), SortKey = B("n"), Increment = 5 } },
        Set("a", "2"),
        new DataRequest
        {
            CheckAndSet = new CheckAndSetRequest
            {
                HashKey = B("hk"),
                CheckSortKey = B("a"),
                CheckType = CheckType.ValueBytesEqual,
                CheckOperand = B("2"),
                SetSortKey = B("a"),
                SetValue = B("3"),
            },
        },
        new DataRequest { Delete = new DeleteRequest { HashKey = B("hk"), SortKey = B("b") } },
        Set("c", "y"),
    ];

    private static DataRequest Set(string sortKey, string value)
        => new() { Set = new SetRequest { HashKey = B("hk"), SortKey = B(sortKey), Value = B(value) } };
}
