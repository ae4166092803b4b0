using System.Text;
using Pegasus.Protocol.Hashing;
using Pegasus.Protocol.Keys;

namespace Pegasus.Tests.Protocol;

public sealed class PegasusCrc64Tests
{
    [Fact]
    public void Compute_CheckString_MatchesPegasus()
        => Assert.Equal(0xae8b14860a799888UL, PegasusCrc64.Compute("123456789"u8));

    [Fact]
    public void KeyHash_EmptyHashKey_HashesSortKey()
        => Assert.Equal(PegasusCrc64.Compute("sk"u8), PartitionResolver.KeyHash([], "sk"u8));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(6, false)]
    [InlineData(8, true)]
    [InlineData(-4, false)]
    public void IsValidPartitionCount_PowersOfTwoOnly(int count, bool valid)
        => Assert.Equal(valid, PartitionResolver.IsValidPartitionCount(count));

    [Fact]
    public void StorageKey_RoundTrips_AndOrdersBySortKey()
    {
        var a = StorageKey.Encode("h"u8, "a"u8);
        var b = StorageKey.Encode("h"u8, "b"u8);
        Assert.True(a.AsSpan().SequenceCompareTo(b) < 0);
        Assert.True(StorageKey.TryDecode(b, out var hashKey, out var sortKey));
        Assert.Equal("h", Encoding.UTF8.GetString(hashKey));
        Assert.Equal("b", Encoding.UTF8.GetString(sortKey));
        Assert.Equal([0, 1, (byte)'h'], StorageKey.EncodeHashKeyPrefix("h"u8));
    }

    [Fact]
    public void StorageKey_HashKeyAtLimit_Rejected()
        => Assert.Throws<ArgumentException>(() => StorageKey.Encode(new byte[KeyLimits.MaxHashKeyLength + 1], []));
}
