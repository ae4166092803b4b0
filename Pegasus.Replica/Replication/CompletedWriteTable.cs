using Pegasus.Protocol.Data;

namespace Pegasus.Replica.Replication;

/// <summary>
/// The answers of the writes a replica applied, by client session and write number, so a retried write is answered
/// instead of applied twice. Every replica fills it as it applies committed mutations, in decree order, from the
/// session fields the mutation carries: a secondary promoted after a failover knows the writes its old primary applied,
/// which is when clients retry. A session's entries go when its client says it has their answers (the acknowledged
/// watermark each write carries), or when the session has written nothing for <see cref="IdleSessionLifetime"/>.
/// Not thread-safe: the write pipeline's lock guards it.
/// </summary>
public sealed class CompletedWriteTable
{
    private readonly Dictionary<ulong, Session> _sessions = [];
    private readonly TimeProvider _timeProvider;
    private long _lastIdleSweep;

    /// <summary>Initializes an empty table.</summary>
    /// <param name="idleSessionLifetime">How long a session that writes nothing is remembered.</param>
    /// <param name="timeProvider">The clock of idle sessions.</param>
    public CompletedWriteTable(TimeSpan idleSessionLifetime, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idleSessionLifetime, TimeSpan.Zero);
        IdleSessionLifetime = idleSessionLifetime;
        _timeProvider = timeProvider;
        _lastIdleSweep = timeProvider.GetTimestamp();
    }

    /// <summary>Gets how long a session that writes nothing is remembered.</summary>
    public TimeSpan IdleSessionLifetime { get; }

    /// <summary>Gets the number of sessions remembered.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Gets the number of writes remembered, over every session.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var session in _sessions.Values)
            {
                count += session.Answers.Count;
            }

            return count;
        }
    }

    /// <summary>Looks up an applied write.</summary>
    /// <param name="session">The client session (not 0).</param>
    /// <param name="seq">The write's number in it.</param>
    /// <param name="response">
    /// The answer it was given; null when it was applied before this replica restarted and the answer is not known.
    /// </param>
    /// <returns>True when the write was applied.</returns>
    public bool TryGet(ulong session, ulong seq, out DataResponse? response)
    {
        if (_sessions.TryGetValue(session, out var entry) && entry.Answers.TryGetValue(seq, out response))
        {
            return true;
        }

        response = null;
        return false;
    }

    /// <summary>
    /// Records an applied write (and forgets what its client has acknowledged). A request without a session is ignored.
    /// </summary>
    /// <param name="request">The applied request.</param>
    /// <param name="response">Its answer (kept as given: pass a copy nobody changes), or null when not known.</param>
    public void Record(DataRequest request, DataResponse? response)
    {
        if (request.WriteSession == 0)
        {
            return;
        }

        var now = _timeProvider.GetTimestamp();
        if (!_sessions.TryGetValue(request.WriteSession, out var session))
        {
            session = new Session();
            _sessions.Add(request.WriteSession, session);
        }

        session.LastWrite = now;
        session.Forget(request.WriteAckedBelow);
        if (request.WriteSeq >= session.AckedBelow)
        {
            session.Add(request.WriteSeq, response);
        }

        if (_timeProvider.GetElapsedTime(_lastIdleSweep, now) >= IdleSessionLifetime / 4)
        {
            _lastIdleSweep = now;
            ForgetIdle(now);
        }
    }

    /// <summary>Forgets every session.</summary>
    public void Clear() => _sessions.Clear();

    private void ForgetIdle(long now)
    {
        List<ulong>? idle = null;
        foreach (var (id, session) in _sessions)
        {
            if (_timeProvider.GetElapsedTime(session.LastWrite, now) >= IdleSessionLifetime)
            {
                (idle ??= []).Add(id);
            }
        }

        foreach (var id in idle ?? [])
        {
            _sessions.Remove(id);
        }
    }

    private sealed class Session
    {
        // Numbers in answer order are close to sequence order, so the heap's minimum is usually the next to go.
        private readonly PriorityQueue<ulong, ulong> _bySeq = new();

        public Dictionary<ulong, DataResponse?> Answers { get; } = [];

        public ulong AckedBelow { get; private set; }

        public long LastWrite { get; set; }

        public void Add(ulong seq, DataResponse? response)
        {
            if (Answers.TryAdd(seq, response))
            {
                _bySeq.Enqueue(seq, seq);
            }
        }

        public void Forget(ulong ackedBelow)
        {
            if (ackedBelow <= AckedBelow)
            {
                return;
            }

            AckedBelow = ackedBelow;
            while (_bySeq.TryPeek(out var seq, out _) && seq < ackedBelow)
            {
                _bySeq.Dequeue();
                Answers.Remove(seq);
            }
        }
    }
}
