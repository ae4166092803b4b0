using System.Net;
using System.Net.Sockets;

namespace Pegasus.Tests.ZooKeeper;

/// <summary>
/// A loopback TCP forwarder that can cut a client off from its server: <see cref="Block"/> drops
/// every forwarded connection and refuses new ones until <see cref="Unblock"/>. Used to partition
/// one client (for example to let its session expire) without touching the server.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    // Guards _blocked and _connections so a connection is either tracked or refused, never missed by Block.
    private readonly Lock _gate = new();
    private readonly HashSet<Socket> _connections = [];
    private readonly Task _acceptLoop;
    private bool _blocked;

    private TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The connection string for clients that should go through the proxy.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts forwarding 127.0.0.1:<see cref="Port"/> to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public static TcpProxy Start(int targetPort) => new(targetPort);

    /// <summary>Drops every forwarded connection and refuses new ones.</summary>
    public void Block()
    {
        List<Socket> open;
        lock (_gate)
        {
            _blocked = true;
            open = [.. _connections];
            _connections.Clear();
        }

        open.ForEach(s => s.Dispose());
    }

    /// <summary>Forwards new connections again.</summary>
    public void Unblock()
    {
        lock (_gate)
        {
            _blocked = false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Block();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the loop this way.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            lock (_gate)
            {
                if (_blocked)
                {
                    client.Dispose();
                    upstream.Dispose();
                    return;
                }

                _connections.Add(client);
                _connections.Add(upstream);
            }

            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stop.Token);
            await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Either side went away; close both below.
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(client);
                _connections.Remove(upstream);
            }

            client.Dispose();
            upstream.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection was dropped (by Block or by a peer).
        }
    }
}
