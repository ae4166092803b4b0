using Google.Protobuf;
using Pegasus.Protocol.Data;
using Pegasus.Protocol.Time;
using Pegasus.Replica.Replication;

namespace Pegasus.Tests.Replica;

/// <summary>How the primary stamps a table's default_ttl into writes before they are replicated.</summary>
public sealed class DefaultTtlApplyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly uint Expire = PegasusEpoch.ExpireTimeFromTtl(Now, 100);
    private static readonly ByteString V = ByteString.CopyFromUtf8("v");

    [Fact]
    public void Apply_PutsWithoutExpireTime_GetTheDefault_OthersUnchanged()
    {
        var set = new DataRequest { Set = new SetRequest { Value = V } };
        var setWithTtl = new DataRequest { Set = new SetRequest { Value = V, ExpireTsSeconds = 7 } };
        var multiSet = new DataRequest { MultiSet = new MultiSetRequest { Kvs = { new KeyValue { Value = V }, new KeyValue { Value = V } } } };
        var checkAndSet = new DataRequest { CheckAndSet = new CheckAndSetRequest { SetValue = V } };
        var checkAndMutate = new DataRequest
        {
            CheckAndMutate = new CheckAndMutateRequest
            {
                MutateList =
                {
                    new Mutate { Operation = MutateOperation.Put, Value = V },
                    new Mutate { Operation = MutateOperation.Put, Value = V, SetExpireTsSeconds = 9 },
                    new Mutate { Operation = MutateOperation.Delete },
                },
            },
        };
        var incr = new DataRequest { Incr = new IncrRequest { Increment = 1 } };

        foreach (var request in new[] { set, setWithTtl, multiSet, checkAndSet, checkAndMutate, incr })
        {
            DefaultTtl.Apply(request, 100, Now);
        }

        Assert.Equal(Expire, set.Set.ExpireTsSeconds);
        Assert.Equal(7u, setWithTtl.Set.ExpireTsSeconds);
        Assert.Equal(Expire, multiSet.MultiSet.ExpireTsSeconds);
        Assert.All(multiSet.MultiSet.Kvs, kv => Assert.Equal(Expire, kv.ExpireTsSeconds));
        Assert.Equal(Expire, checkAndSet.CheckAndSet.SetExpireTsSeconds);
        Assert.Equal([Expire, 9u, 0u], checkAndMutate.CheckAndMutate.MutateList.Select(m => m.SetExpireTsSeconds));

        // Incr's 0 means "keep the record's TTL": the default travels aside, for the apply step.
        Assert.Equal(0, incr.Incr.ExpireTsSeconds);
        Assert.Equal(Expire, incr.Incr.DefaultExpireTsSeconds);
    }

    [Fact]
    public void Apply_NoDefault_ChangesNothing()
    {
        var set = new DataRequest { Set = new SetRequest { Value = V } };
        DefaultTtl.Apply(set, 0, Now);
        Assert.Equal(0u, set.Set.ExpireTsSeconds);
    }

    [Theory]
    [InlineData("3600", 3600)]
    [InlineData("0", 0)]
    [InlineData("-5", 0)]
    [InlineData("abc", 0)]
    [InlineData(null, 0)]
    public void FromEnvs_ParsesWholeSeconds_ElseNone(string? value, int expected)
    {
        var envs = new Dictionary<string, string>();
        if (value is not null)
        {
            envs[DefaultTtlEnv.Key] = value;
        }

        Assert.Equal(expected, DefaultTtl.FromEnvs(envs));
    }
}
