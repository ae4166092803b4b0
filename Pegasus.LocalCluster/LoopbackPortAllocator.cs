using System.Net;
using System.Net.Sockets;

namespace Pegasus.LocalCluster;

/// <summary>
/// Hands out loopback TCP ports for servers that another process binds a few seconds later (the
/// AppHost's free-port mode, and the test harnesses, which reuse this one implementation).
/// </summary>
/// <remarks>
/// Letting the OS pick (binding port 0) returns a port from the kernel's ephemeral range (Linux:
/// 32768–60999), the same range every outgoing connection takes its local port from; in the
/// seconds before the server binds it, a client connection elsewhere on the machine can take it and
/// the server fails with "address already in use". So ports come from below that range, at random
/// (so concurrent test runs rarely collide), checked free by binding, and never handed out twice
/// by one process.
/// </remarks>
public static class LoopbackPortAllocator
{
    private const int FirstPort = 20000;
    private const int EndPort = 32000;
    private const int AttemptsPerPort = 1000;

    // Guards HandedOut: tests allocate from several threads at once.
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>Returns <paramref name="count"/> distinct ports that are free on 127.0.0.1 now.</summary>
    /// <param name="count">How many ports.</param>
    /// <returns>The ports.</returns>
    public static int[] Allocate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var ports = new int[count];
        lock (Gate)
        {
            // A long test run could exhaust the range; ports handed out long ago are bound (or
            // abandoned) by now, so forgetting them is safe.
            if (HandedOut.Count + count > (EndPort - FirstPort) / 2)
            {
                HandedOut.Clear();
            }

            for (var i = 0; i < count; i++)
            {
                ports[i] = AllocateOne();
            }
        }

        return ports;
    }

    /// <summary>One free loopback port (see <see cref="Allocate"/>).</summary>
    /// <returns>The port.</returns>
    public static int AllocateOne()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < AttemptsPerPort; attempt++)
            {
                var port = Random.Shared.Next(FirstPort, EndPort);
                if (!HandedOut.Contains(port) && IsFree(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free loopback port in {FirstPort}-{EndPort - 1} after {AttemptsPerPort} attempts.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
