using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pegasus.LocalCluster;

/// <summary>How a <see cref="TcpProxy"/> cuts the links through it.</summary>
public enum ProxyFault
{
    /// <summary>Every open connection is reset (RST) and new ones are reset right after they are accepted: peers see errors at once.</summary>
    Reset,

    /// <summary>
    /// Nothing is forwarded any more, in either direction, and new connections are accepted but not connected onward:
    /// peers see silence until their own timeouts fire, like a network that drops packets. After <see cref="TcpProxy.Heal"/>
    /// the held bytes flow again (TCP delivers late, never out of order).
    /// </summary>
    Blackhole,
}

/// <summary>
/// A loopback TCP proxy in front of one server port, so a nemesis can cut that server's links without touching the
/// process: clients and peers connect to <see cref="Address"/>, which the server advertises as its own.
/// </summary>
/// <remarks>
/// One accept loop and, per connection, two pumps (client→server, server→client), each forwarding what it reads.
/// A cut either resets every connection or stalls every pump before it writes (a gate task the pumps await);
/// <see cref="Heal"/> opens the gate. The proxy outlives restarts of the server behind it: while the server is down,
/// accepted connections fail to connect onward and are closed.
/// </remarks>
public sealed class TcpProxy : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Link> _links = new();

    // Guards _fault and _gate together, so a cut and a heal racing each other leave a consistent state.
    private readonly Lock _stateLock = new();
    private readonly Task _acceptLoop;
    private TaskCompletionSource _gate = NewOpenGate();
    private ProxyFault? _fault;
    private long _nextLinkId;

    private TcpProxy(Socket listener, IPEndPoint target)
    {
        _listener = listener;
        _target = target;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Gets the port the proxy listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Gets the proxy's address as the servers spell addresses: <c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public string Address => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}");

    /// <summary>Gets the port of the server behind the proxy.</summary>
    public int TargetPort => _target.Port;

    /// <summary>Gets the active cut, or null while links pass.</summary>
    public ProxyFault? Fault
    {
        get
        {
            lock (_stateLock)
            {
                return _fault;
            }
        }
    }

    /// <summary>Gets how many connections are open through the proxy.</summary>
    public int ConnectionCount => _links.Count;

    /// <summary>Starts a proxy on <paramref name="listenPort"/> forwarding to <paramref name="targetPort"/>, both on 127.0.0.1.</summary>
    /// <param name="listenPort">The port to listen on (see <see cref="LoopbackPortAllocator"/>).</param>
    /// <param name="targetPort">The server's port.</param>
    /// <returns>The running proxy.</returns>
    /// <exception cref="SocketException">The port cannot be bound.</exception>
    public static TcpProxy Start(int listenPort, int targetPort)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, listenPort));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new TcpProxy(listener, new IPEndPoint(IPAddress.Loopback, targetPort));
    }

    /// <summary>Cuts every link through the proxy, open and future, until <see cref="Heal"/>.</summary>
    /// <param name="fault">How: reset or silence.</param>
    public void Cut(ProxyFault fault)
    {
        lock (_stateLock)
        {
            _fault = fault;
            if (_gate.Task.IsCompleted)
            {
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (fault == ProxyFault.Reset)
        {
            foreach (var link in _links.Values)
            {
                link.Abort();
            }
        }
    }

    /// <summary>Lets links pass again; held bytes of a blackhole flow on.</summary>
    public void Heal()
    {
        TaskCompletionSource gate;
        lock (_stateLock)
        {
            _fault = null;
            gate = _gate;
        }

        gate.TrySetResult();
    }

    /// <summary>Stops listening and closes every connection.</summary>
    /// <returns>A task that completes when the accept loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener.Dispose();
        foreach (var link in _links.Values)
        {
            link.Abort();
        }

        Heal();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The listener was closed under the loop: that is how it ends.
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (SocketException) when (!token.IsCancellationRequested)
            {
                // A connection that died in the accept queue; keep accepting.
                continue;
            }

            _ = HandleAsync(client, token);
        }
    }

    private async Task HandleAsync(Socket client, CancellationToken token)
    {
        client.NoDelay = true;
        Socket? server = null;
        try
        {
            // A blackhole holds new connections before they reach the server; a reset refuses them.
            if (!await WaitForGateAsync(client, token).ConfigureAwait(false))
            {
                return;
            }

            server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                connect.CancelAfter(ConnectTimeout);
                await server.ConnectAsync(_target, connect.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The server is down (or the proxy stops): the client sees its connection closed.
            Link.Reset(client);
            server?.Dispose();
            return;
        }

        var id = Interlocked.Increment(ref _nextLinkId);
        var link = new Link(client, server);
        _links[id] = link;
        try
        {
            // A reset cut that raced with this connect must still cut it.
            if (Fault == ProxyFault.Reset)
            {
                link.Abort();
            }

            await Task.WhenAll(PumpAsync(link, client, server, token), PumpAsync(link, server, client, token)).ConfigureAwait(false);
        }
        finally
        {
            _links.TryRemove(id, out _);
            link.Dispose();
        }
    }

    /// <summary>Waits while the proxy is a blackhole; false (with the client reset) when it is cut by resets.</summary>
    private async Task<bool> WaitForGateAsync(Socket client, CancellationToken token)
    {
        while (true)
        {
            Task gate;
            lock (_stateLock)
            {
                if (_fault == ProxyFault.Reset)
                {
                    Link.Reset(client);
                    return false;
                }

                gate = _gate.Task;
            }

            if (gate.IsCompleted)
            {
                return true;
            }

            await gate.WaitAsync(token).ConfigureAwait(false);
        }
    }

    private async Task PumpAsync(Link link, Socket from, Socket to, CancellationToken token)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    // Half-close: pass the end of stream on; the other direction may still flow.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await WaitToForwardAsync(token).ConfigureAwait(false);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side broke (or was cut): break the other too.
            link.Abort();
        }
    }

    private async Task WaitToForwardAsync(CancellationToken token)
    {
        Task gate;
        lock (_stateLock)
        {
            gate = _gate.Task;
        }

        if (!gate.IsCompleted)
        {
            await gate.WaitAsync(token).ConfigureAwait(false);
        }
    }

    /// <summary>A client connection and its connection to the server.</summary>
    private sealed class Link(Socket client, Socket server) : IDisposable
    {
        private int _aborted;

        public static void Reset(Socket socket)
        {
            try
            {
                // Linger 0: close sends RST rather than FIN, as a cut link does.
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }

            socket.Dispose();
        }

        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) == 0)
            {
                Reset(client);
                Reset(server);
            }
        }

        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
