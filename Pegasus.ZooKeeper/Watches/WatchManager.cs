namespace Pegasus.ZooKeeper.Watches;

/// <summary>
/// The client's registry of one-shot watches, keyed by server path, in the three tables ZooKeeper
/// distinguishes: data (getData/exists on an existing node), exist (exists on a missing node) and
/// child (getChildren).
/// </summary>
/// <remarks>
/// A watcher is removed when it is handed out for delivery, so it fires once per registration; the
/// same delegate registered twice for the same path and table is one registration, as in the Java
/// client. The tables outlive connections: after a reconnect they are replayed to the server with
/// SetWatches.
/// </remarks>
internal sealed class WatchManager
{
    // One lock for all three tables: registrations come from the receive loop and snapshots from
    // the reconnect path, both infrequent enough that contention does not matter.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _child = new(StringComparer.Ordinal);

    public void AddData(string serverPath, Action<WatchedEvent> watcher) => Add(_data, serverPath, watcher);

    public void AddExist(string serverPath, Action<WatchedEvent> watcher) => Add(_exist, serverPath, watcher);

    public void AddChild(string serverPath, Action<WatchedEvent> watcher) => Add(_child, serverPath, watcher);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _data.Values.Sum(s => s.Count) + _exist.Values.Sum(s => s.Count) + _child.Values.Sum(s => s.Count);
            }
        }
    }

    /// <summary>Removes and returns the watchers an event of <paramref name="type"/> on <paramref name="serverPath"/> triggers.</summary>
    public HashSet<Action<WatchedEvent>> Trigger(WatchEventType type, string serverPath)
    {
        var result = new HashSet<Action<WatchedEvent>>();
        lock (_gate)
        {
            switch (type)
            {
                case WatchEventType.NodeCreated:
                case WatchEventType.NodeDataChanged:
                    Take(_data, serverPath, result);
                    Take(_exist, serverPath, result);
                    break;
                case WatchEventType.NodeChildrenChanged:
                    Take(_child, serverPath, result);
                    break;
                case WatchEventType.NodeDeleted:
                    Take(_data, serverPath, result);
                    Take(_exist, serverPath, result);
                    Take(_child, serverPath, result);
                    break;
                default:
                    break;
            }
        }

        return result;
    }

    /// <summary>Removes and returns every watcher (the session ended).</summary>
    public HashSet<Action<WatchedEvent>> TakeAll()
    {
        var result = new HashSet<Action<WatchedEvent>>();
        lock (_gate)
        {
            foreach (var table in new[] { _data, _exist, _child })
            {
                foreach (var watchers in table.Values)
                {
                    result.UnionWith(watchers);
                }

                table.Clear();
            }
        }

        return result;
    }

    /// <summary>The watched server paths per table, for SetWatches after a reconnect.</summary>
    public WatchSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new WatchSnapshot([.. _data.Keys], [.. _exist.Keys], [.. _child.Keys]);
        }
    }

    private void Add(Dictionary<string, HashSet<Action<WatchedEvent>>> table, string serverPath, Action<WatchedEvent> watcher)
    {
        lock (_gate)
        {
            if (!table.TryGetValue(serverPath, out var watchers))
            {
                watchers = [];
                table.Add(serverPath, watchers);
            }

            watchers.Add(watcher);
        }
    }

    private static void Take(Dictionary<string, HashSet<Action<WatchedEvent>>> table, string serverPath, HashSet<Action<WatchedEvent>> result)
    {
        if (table.Remove(serverPath, out var watchers))
        {
            result.UnionWith(watchers);
        }
    }
}

/// <summary>The paths of outstanding watches, per table.</summary>
internal sealed record WatchSnapshot(IReadOnlyList<string> Data, IReadOnlyList<string> Exist, IReadOnlyList<string> Child)
{
    public bool IsEmpty => Data.Count == 0 && Exist.Count == 0 && Child.Count == 0;
}
