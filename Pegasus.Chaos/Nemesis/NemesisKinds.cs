namespace Pegasus.Chaos.Nemesis;

/// <summary>The faults a nemesis can inject; combine them (<c>--nemesis kill,pause,partition</c>).</summary>
[Flags]
public enum NemesisKinds
{
    /// <summary>No faults.</summary>
    None = 0,

    /// <summary><c>kill</c>: kill -9 a random replica server, restart it (same ports and data) a few seconds later.</summary>
    Kill = 1,

    /// <summary><c>pause</c>: SIGSTOP the replica server holding some partition's primary for longer than its lease, then SIGCONT.</summary>
    Pause = 2,

    /// <summary><c>partition</c>: cut a replica server's links (clients, peers, its beacons) at its proxies for a while, then heal.</summary>
    Partition = 4,

    /// <summary><c>meta-kill</c>: kill -9 the (embedded, single) meta server, restart it a few seconds later.</summary>
    MetaKill = 8,

    /// <summary><c>crash-all</c>: kill -9 every process at once (meta and replica servers), restart them all a few seconds later.</summary>
    CrashAll = 16,
}

/// <summary>The command-line names of <see cref="NemesisKinds"/>.</summary>
public static class NemesisNames
{
    private static readonly (string Name, NemesisKinds Kind)[] Names =
    [
        ("kill", NemesisKinds.Kill),
        ("pause", NemesisKinds.Pause),
        ("partition", NemesisKinds.Partition),
        ("meta-kill", NemesisKinds.MetaKill),
        ("crash-all", NemesisKinds.CrashAll),
    ];

    /// <summary>Gets every name, for help texts.</summary>
    public static IEnumerable<string> All => Names.Select(n => n.Name).Prepend("none");

    /// <summary>Parses a comma-separated list such as <c>kill,pause,partition</c> (or <c>none</c>).</summary>
    /// <param name="text">The list.</param>
    /// <param name="kinds">The faults, when every name is known.</param>
    /// <param name="unknown">The first unknown name, otherwise null.</param>
    /// <returns>Whether every name is known.</returns>
    public static bool TryParse(string text, out NemesisKinds kinds, out string? unknown)
    {
        kinds = NemesisKinds.None;
        unknown = null;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var match = Array.FindIndex(Names, n => n.Name.Equals(part, StringComparison.OrdinalIgnoreCase));
            if (match < 0)
            {
                unknown = part;
                return false;
            }

            kinds |= Names[match].Kind;
        }

        return true;
    }

    /// <summary>Formats faults as their comma-separated names.</summary>
    /// <param name="kinds">The faults.</param>
    /// <returns>E.g. <c>kill,pause</c>, or <c>none</c>.</returns>
    public static string Format(NemesisKinds kinds)
        => kinds == NemesisKinds.None ? "none" : string.Join(',', Names.Where(n => kinds.HasFlag(n.Kind)).Select(n => n.Name));

    /// <summary>Lists the single faults in <paramref name="kinds"/>, in a fixed order (so a seed picks the same ones).</summary>
    /// <param name="kinds">The faults.</param>
    /// <returns>Each single fault.</returns>
    public static IReadOnlyList<NemesisKinds> Split(NemesisKinds kinds) => [.. Names.Select(n => n.Kind).Where(k => kinds.HasFlag(k))];
}
