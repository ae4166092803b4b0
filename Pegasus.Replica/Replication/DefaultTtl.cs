using Pegasus.Protocol.Data;
using Pegasus.Protocol.Time;

namespace Pegasus.Replica.Replication;

/// <summary>
/// A table's <c>default_ttl</c> app env (Pegasus's): records written without a TTL get it. The primary stamps it into
/// the write before the write gets its decree, so every copy logs and applies the same expire time.
/// </summary>
internal static class DefaultTtl
{
    /// <summary>The default TTL in seconds an app env map sets; 0 (none) when absent or not a whole number of seconds.</summary>
    public static int FromEnvs(IReadOnlyDictionary<string, string> envs)
        => envs.TryGetValue(DefaultTtlEnv.Key, out var text) && DefaultTtlEnv.TryParse(text, out var seconds) ? seconds : 0;

    /// <summary>
    /// Gives every record the write puts without an expire time the default one. An incr carries it aside: its own 0
    /// means "keep the record's TTL", so only the apply step can tell whether the record ends up without one.
    /// </summary>
    public static void Apply(DataRequest request, int ttlSeconds, DateTimeOffset now)
    {
        if (ttlSeconds <= 0)
        {
            return;
        }

        var expire = PegasusEpoch.ExpireTimeFromTtl(now, ttlSeconds);
        switch (request.OpCase)
        {
            case DataRequest.OpOneofCase.Set when request.Set.ExpireTsSeconds == 0:
                request.Set.ExpireTsSeconds = expire;
                break;
            case DataRequest.OpOneofCase.MultiSet when request.MultiSet.ExpireTsSeconds == 0:
                // The request's expire time applies to every record (as in Pegasus); the per-record copies follow it.
                request.MultiSet.ExpireTsSeconds = expire;
                foreach (var kv in request.MultiSet.Kvs)
                {
                    kv.ExpireTsSeconds = expire;
                }

                break;
            case DataRequest.OpOneofCase.CheckAndSet when request.CheckAndSet.SetExpireTsSeconds == 0:
                request.CheckAndSet.SetExpireTsSeconds = expire;
                break;
            case DataRequest.OpOneofCase.Incr:
                request.Incr.DefaultExpireTsSeconds = expire;
                break;
            case DataRequest.OpOneofCase.CheckAndMutate:
                foreach (var mutate in request.CheckAndMutate.MutateList)
                {
                    if (mutate.Operation == MutateOperation.Put && mutate.SetExpireTsSeconds == 0)
                    {
                        mutate.SetExpireTsSeconds = expire;
                    }
                }

                break;
        }
    }
}
