using Google.Protobuf;
using Pegasus.Client;
using Pegasus.Client.Routing;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Meta;
using Pegasus.Protocol.Time;

namespace Pegasus.Tests.Client;

public sealed class RequestBuildingTests
{
    private static readonly DateTimeOffset Now = PegasusEpoch.Origin.AddSeconds(1_000);
    private static readonly byte[] HashKey = "h"u8.ToArray();
    private static readonly byte[] SortKey = "s"u8.ToArray();
    private static readonly byte[] Value = "v"u8.ToArray();

    [Theory]
    [InlineData(0, 0u)]
    [InlineData(60, 1_060u)]
    public void Set_Ttl_BecomesExpireTimeFromNow(int ttlSeconds, uint expected)
    {
        var request = Requests.Set(HashKey, SortKey, Value, ttlSeconds, Now);

        Assert.Equal(expected, request.Set.ExpireTsSeconds);
        Assert.Equal(ByteString.CopyFrom(Value), request.Set.Value);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, -1)]
    [InlineData(60, 1_060)]
    public void Incr_Ttl_KeepsClearsOrSets(int ttlSeconds, int expected)
        => Assert.Equal(expected, Requests.Incr(HashKey, SortKey, 5, ttlSeconds, Now).Incr.ExpireTsSeconds);

    [Fact]
    public void MultiSet_Ttl_AppliesToRequestAndEveryRecord()
    {
        var request = Requests.MultiSet(HashKey, [(SortKey, Value), ("t"u8.ToArray(), Value)], 10, Now).MultiSet;

        Assert.Equal(1_010u, request.ExpireTsSeconds);
        Assert.All(request.Kvs, kv => Assert.Equal(1_010u, kv.ExpireTsSeconds));
        Assert.Equal(["s", "t"], request.Kvs.Select(kv => kv.SortKey.ToStringUtf8()));
    }

    [Fact]
    public void CheckAndSet_SameSortKey_DoesNotSendSetSortKey()
    {
        var options = new CheckAndSetOptions { SetValueTtlSeconds = 30, ReturnCheckValue = true };

        var same = Requests.CheckAndSet(HashKey, SortKey, CheckType.ValueExist, [], SortKey, Value, options, Now).CheckAndSet;
        var other = Requests.CheckAndSet(HashKey, SortKey, CheckType.ValueExist, [], "x"u8.ToArray(), Value, options, Now).CheckAndSet;

        Assert.False(same.SetDiffSortKey);
        Assert.True(same.SetSortKey.IsEmpty);
        Assert.True(other.SetDiffSortKey);
        Assert.Equal("x", other.SetSortKey.ToStringUtf8());
        Assert.Equal(1_030u, other.SetExpireTsSeconds);
        Assert.True(other.ReturnCheckValue);
    }

    [Fact]
    public void CheckAndMutate_Mutations_KeepOrderAndTtls()
    {
        var mutations = new Mutations().Set(SortKey, Value, ttlSeconds: 7).Delete("d"u8.ToArray()).Set("n"u8.ToArray(), Value);

        var request = Requests.CheckAndMutate(HashKey, SortKey, CheckType.ValueNotExist, [], mutations, new CheckAndMutateOptions(), Now).CheckAndMutate;

        Assert.Equal([MutateOperation.Put, MutateOperation.Delete, MutateOperation.Put], request.MutateList.Select(m => m.Operation));
        Assert.Equal([1_007u, 0u, 0u], request.MutateList.Select(m => m.SetExpireTsSeconds));
        Assert.Equal(["s", "d", "n"], request.MutateList.Select(m => m.SortKey.ToStringUtf8()));
    }

    [Fact]
    public void MultiGet_ByKeysAndByRange_CarryOptions()
    {
        var options = new MultiGetOptions
        {
            MaxCount = 10, MaxSize = 100, NoValue = true, Reverse = true, StartInclusive = false, StopInclusive = true,
            SortKeyFilterType = FilterType.MatchPrefix, SortKeyFilterPattern = "p"u8.ToArray(),
        };

        var byKeys = Requests.MultiGetByKeys(HashKey, [SortKey], options).MultiGet;
        var range = Requests.MultiGetRange(HashKey, "a"u8.ToArray(), "z"u8.ToArray(), options).MultiGet;

        Assert.Single(byKeys.SortKeys);
        Assert.Equal((10, 100, true, true), (byKeys.MaxKvCount, byKeys.MaxKvSize, byKeys.NoValue, byKeys.Reverse));
        Assert.Empty(range.SortKeys);
        Assert.Equal(("a", "z", false, true), (range.StartSortKey.ToStringUtf8(), range.StopSortKey.ToStringUtf8(), range.StartInclusive, range.StopInclusive));
        Assert.Equal((FilterType.MatchPrefix, "p"), (range.SortKeyFilterType, range.SortKeyFilterPattern.ToStringUtf8()));
    }

    [Fact]
    public void SplitByPartition_GroupsEveryKeyUnderItsPartition()
    {
        var keys = Enumerable.Range(0, 64)
            .Select(i => (HashKey: System.Text.Encoding.UTF8.GetBytes($"hash{i % 20}"), SortKey: System.Text.Encoding.UTF8.GetBytes($"sort{i}")))
            .Append(([], "only-sort-key"u8.ToArray()))
            .ToList();

        var groups = Requests.SplitByPartition(keys, 8);

        Assert.Equal(Enumerable.Range(0, keys.Count), groups.Values.SelectMany(g => g).Order());
        foreach (var (partition, group) in groups)
        {
            Assert.All(group, i => Assert.Equal(partition, PartitionResolver.PartitionIndex(keys[i].HashKey, keys[i].SortKey, 8)));
            Assert.Equal(group.Order(), group);
        }

        Assert.True(groups.Count > 1);
    }

    [Fact]
    public void BatchGet_KeepsKeysInOrder()
    {
        var request = Requests.BatchGet([(HashKey, SortKey), ("g"u8.ToArray(), "x"u8.ToArray())]).BatchGet;

        Assert.Equal(["h/s", "g/x"], request.Keys.Select(k => $"{k.HashKey.ToStringUtf8()}/{k.SortKey.ToStringUtf8()}"));
    }

    [Theory]
    [InlineData(8, 3, "0,1,2|3,4,5|6,7")]
    [InlineData(4, 10, "0|1|2|3")]
    [InlineData(4, 1, "0,1,2,3")]
    [InlineData(8, 8, "0|1|2|3|4|5|6|7")]
    public void SplitPartitions_ContiguousRunsDifferingByAtMostOne(int partitionCount, int maxSplitCount, string expected)
        => Assert.Equal(expected, string.Join("|", PegasusTable.SplitPartitions(partitionCount, maxSplitCount).Select(s => string.Join(",", s))));

    [Theory]
    [InlineData("a", "", true, false, false)]
    [InlineData("a", "b", true, false, false)]
    [InlineData("b", "a", true, true, true)]
    [InlineData("a", "a", true, true, false)]
    [InlineData("a", "a", true, false, true)]
    [InlineData("a", "a", false, true, true)]
    public void IsEmptyRange_FollowsPegasus(string start, string stop, bool startInclusive, bool stopInclusive, bool empty)
        => Assert.Equal(empty, PegasusTable.IsEmptyRange(
            System.Text.Encoding.UTF8.GetBytes(start), System.Text.Encoding.UTF8.GetBytes(stop), startInclusive, stopInclusive));

    [Fact]
    public void TableRouting_IndexesPartitionsAndTreatsEmptyPrimaryAsNone()
    {
        var routing = new TableRouting("t", 3, 4,
        [
            new PartitionConfiguration { PartitionIndex = 2, Primary = "http://b" },
            new PartitionConfiguration { PartitionIndex = 0, Primary = "http://a" },
            new PartitionConfiguration { PartitionIndex = 1, Primary = "" },
        ]);

        Assert.Equal(("http://a", null, "http://b", null), (routing.PrimaryOf(0), routing.PrimaryOf(1), routing.PrimaryOf(2), routing.PrimaryOf(3)));
        Assert.Equal(2, routing.PrimaryCount);
        Assert.Equal(3, routing.PartitionIndexOf(7));
    }

    [Theory]
    [InlineData(Pegasus.Protocol.ErrorCode.ObjectNotFound, true)]
    [InlineData(Pegasus.Protocol.ErrorCode.InvalidState, true)]
    [InlineData(Pegasus.Protocol.ErrorCode.PartitionMismatch, true)]
    [InlineData(Pegasus.Protocol.ErrorCode.Busy, true)]
    [InlineData(Pegasus.Protocol.ErrorCode.NotFound, false)]
    [InlineData(Pegasus.Protocol.ErrorCode.TryAgain, false)]
    [InlineData(Pegasus.Protocol.ErrorCode.Timeout, false)]
    public void IsRetryable_OnlyRoutingAndBusy(Pegasus.Protocol.ErrorCode error, bool retryable)
        => Assert.Equal(retryable, PegasusTable.IsRetryable(error));
}
