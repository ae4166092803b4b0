using System.Globalization;
using Pegasus.ZooKeeper.Protocol;

namespace Pegasus.ZooKeeper.Session;

/// <summary>One ZooKeeper server address.</summary>
internal readonly record struct ServerAddress(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>A parsed connection string: <c>host:port,host:port[/chroot]</c>.</summary>
internal sealed record ConnectionString(IReadOnlyList<ServerAddress> Servers, string? Chroot)
{
    public const int DefaultPort = 2181;

    public static ConnectionString Parse(string value)
    {
        if (!TryParse(value, out var result, out var error))
        {
            throw new ArgumentException($"Invalid ZooKeeper connection string '{value}': {error}.", nameof(value));
        }

        return result;
    }

    public static bool TryParse(string? value, out ConnectionString result, out string error)
    {
        result = new ConnectionString([], null);
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "it is empty";
            return false;
        }

        string? chroot = null;
        var hosts = value.Trim();
        var slash = hosts.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            chroot = hosts[slash..];
            hosts = hosts[..slash];
            var pathError = ZooKeeperPath.GetError(chroot);
            if (pathError is not null)
            {
                error = $"the chroot {pathError}";
                return false;
            }

            // "/" is the root: the same as no chroot.
            if (chroot == "/")
            {
                chroot = null;
            }
        }

        var servers = new List<ServerAddress>();
        foreach (var part in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryParseServer(part, out var server))
            {
                error = $"'{part}' is not host[:port]";
                return false;
            }

            servers.Add(server);
        }

        if (servers.Count == 0)
        {
            error = "it names no server";
            return false;
        }

        result = new ConnectionString(servers, chroot);
        error = string.Empty;
        return true;
    }

    private static bool TryParseServer(string part, out ServerAddress server)
    {
        server = default;
        string host;
        string? port = null;
        if (part.StartsWith('['))
        {
            // IPv6 literal: [addr] or [addr]:port.
            var close = part.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = part[1..close];
            var rest = part[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return false;
                }

                port = rest[1..];
            }
        }
        else
        {
            var colon = part.LastIndexOf(':');
            host = colon < 0 ? part : part[..colon];
            port = colon < 0 ? null : part[(colon + 1)..];
        }

        var portNumber = DefaultPort;
        if (host.Length == 0
            || (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber)
                || portNumber is <= 0 or > 65535)))
        {
            return false;
        }

        server = new ServerAddress(host, portNumber);
        return true;
    }
}
