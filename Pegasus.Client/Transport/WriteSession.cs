using System.Security.Cryptography;

namespace Pegasus.Client.Transport;

/// <summary>
/// Numbers one client's writes for the replicas' deduplication. A write keeps its number across retries, so when a
/// retry reaches a primary that already applied (or is still replicating) the first attempt, it gets the first
/// attempt's answer instead of being applied twice — an <c>incr</c> retried after a failover is not counted twice.
/// The lowest number still waiting for an answer goes out with every write: the replicas forget everything below it.
/// </summary>
internal sealed class WriteSession
{
    private readonly Lock _lock = new();

    // Numbers handed out and not yet answered; its minimum is what the replicas may forget below.
    private readonly SortedSet<ulong> _pending = [];
    private ulong _next = 1;

    /// <summary>Initializes a session with a random non-zero id.</summary>
    public WriteSession()
    {
        ulong id;
        do
        {
            id = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
        }
        while (id == 0);

        Id = id;
    }

    /// <summary>Gets the session id, random and never 0 (0 on the wire means "no deduplication").</summary>
    public ulong Id { get; }

    /// <summary>Gets the lowest sequence number not yet answered (the next one when none is pending).</summary>
    public ulong AckedBelow
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count == 0 ? _next : _pending.Min;
            }
        }
    }

    /// <summary>Gives a write its sequence number; pair every call with <see cref="Complete"/>.</summary>
    /// <returns>The number.</returns>
    public ulong Begin()
    {
        lock (_lock)
        {
            var seq = _next++;
            _pending.Add(seq);
            return seq;
        }
    }

    /// <summary>The write numbered <paramref name="seq"/> is answered (or given up): it will not be retried.</summary>
    /// <param name="seq">The number <see cref="Begin"/> gave.</param>
    public void Complete(ulong seq)
    {
        lock (_lock)
        {
            _pending.Remove(seq);
        }
    }
}
