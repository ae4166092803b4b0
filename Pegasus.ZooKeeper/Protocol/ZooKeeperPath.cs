namespace Pegasus.ZooKeeper.Protocol;

/// <summary>Path rules (as the server enforces them) and chroot mapping.</summary>
internal static class ZooKeeperPath
{
    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="path"/> is not a valid node path.</summary>
    /// <param name="path">The path to check.</param>
    /// <param name="isSequential">A sequential create may end in '/', the server appends the counter.</param>
    /// <param name="parameterName">The argument name to report.</param>
    public static void Validate(string path, bool isSequential = false, string parameterName = "path")
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        var error = GetError(isSequential ? path + "1" : path);
        if (error is not null)
        {
            throw new ArgumentException($"Invalid ZooKeeper path '{path}': {error}.", parameterName);
        }
    }

    public static string? GetError(string path)
    {
        if (path.Length == 0)
        {
            return "it is empty";
        }

        if (path[0] != '/')
        {
            return "it must start with '/'";
        }

        if (path.Length == 1)
        {
            return null;
        }

        if (path[^1] == '/')
        {
            return "it must not end with '/'";
        }

        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                var c = path[i];
                // The server rejects these code points (PathUtils.validatePath).
                if (c == '\0' || (c > '\u0000' && c <= '\u001f') || (c >= '\u007f' && c <= '\u009f')
                    || (c >= '\ud800' && c <= '\uf8ff') || (c >= '\ufff0' && c <= '\uffff'))
                {
                    return $"it contains the invalid character U+{(int)c:X4}";
                }

                continue;
            }

            var segment = path.AsSpan(segmentStart, i - segmentStart);
            if (segment.Length == 0)
            {
                return "it contains an empty segment";
            }

            if (segment is "." or "..")
            {
                return "relative segments ('.' or '..') are not allowed";
            }

            segmentStart = i + 1;
        }

        return null;
    }

    /// <summary>Maps a client path to the server path under <paramref name="chroot"/> (null = no chroot).</summary>
    public static string ToServer(string? chroot, string path) =>
        chroot is null ? path : path == "/" ? chroot : chroot + path;

    /// <summary>Maps a server path back to the client's view; paths outside the chroot are returned unchanged.</summary>
    public static string ToClient(string? chroot, string serverPath)
    {
        if (chroot is null)
        {
            return serverPath;
        }

        if (serverPath == chroot)
        {
            return "/";
        }

        return serverPath.Length > chroot.Length && serverPath.StartsWith(chroot, StringComparison.Ordinal)
            && serverPath[chroot.Length] == '/'
            ? serverPath[chroot.Length..]
            : serverPath;
    }
}
