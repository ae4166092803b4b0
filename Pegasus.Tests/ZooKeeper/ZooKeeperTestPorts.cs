using System.Net;
using System.Net.Sockets;

namespace Pegasus.Tests.ZooKeeper;

/// <summary>Picks free loopback TCP ports by letting the OS choose.</summary>
public static class ZooKeeperTestPorts
{
    /// <summary>
    /// Returns <paramref name="count"/> distinct ports that were free a moment ago: all sockets are held
    /// open until every port is known, so the OS cannot hand out the same port twice.
    /// </summary>
    public static int[] Allocate(int count)
    {
        var sockets = new List<Socket>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }

            return [.. sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port)];
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }
}
