using System.Net;
using System.Net.Sockets;
using System.Text;
using Pegasus.LocalCluster;

namespace Pegasus.Tests.Chaos;

/// <summary><see cref="TcpProxy"/> against an in-process echo server: forwarding, cuts by reset and by silence, healing.</summary>
public sealed class TcpProxyTests : IAsyncLifetime
{
    private static readonly TimeSpan Silence = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly TcpListener _echo = new(IPAddress.Loopback, LoopbackPortAllocator.AllocateOne());
    private readonly CancellationTokenSource _stopping = new();
    private Task _echoLoop = Task.CompletedTask;
    private TcpProxy _proxy = null!;

    public ValueTask InitializeAsync()
    {
        _echo.Start();
        _echoLoop = EchoAsync();
        _proxy = TcpProxy.Start(LoopbackPortAllocator.AllocateOne(), ((IPEndPoint)_echo.LocalEndpoint).Port);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _stopping.CancelAsync();
        _echo.Stop();
        try
        {
            await _echoLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The listener stopped under the loop.
        }

        _stopping.Dispose();
    }

    [Fact]
    public async Task Open_ForwardsBothWays()
    {
        using var client = await ConnectAsync();
        Assert.Equal("hello", await RoundTripAsync(client, "hello"));
        Assert.Equal(1, _proxy.ConnectionCount);
    }

    [Fact]
    public async Task CutByReset_BreaksOpenConnectionsAndRefusesNewOnes_HealRestores()
    {
        using var before = await ConnectAsync();
        Assert.Equal("a", await RoundTripAsync(before, "a"));

        _proxy.Cut(ProxyFault.Reset);

        Assert.Equal(ProxyFault.Reset, _proxy.Fault);
        await AssertBrokenAsync(before);
        try
        {
            using var during = await ConnectAsync();
            await AssertBrokenAsync(during);
        }
        catch (SocketException)
        {
            // Reset while connecting: refused, as expected.
        }

        _proxy.Heal();
        using var after = await ConnectAsync();
        Assert.Equal("b", await RoundTripAsync(after, "b"));
    }

    [Fact]
    public async Task CutByBlackhole_HoldsBytesUntilHealed_ThenDeliversThem()
    {
        using var client = await ConnectAsync();
        Assert.Equal("a", await RoundTripAsync(client, "a"));

        _proxy.Cut(ProxyFault.Blackhole);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("held"), TestContext.Current.CancellationToken);
        var buffer = new byte[16];
        var read = stream.ReadAsync(buffer, TestContext.Current.CancellationToken).AsTask();

        // Silence while cut: the echo never sees the bytes (or its answer never comes back).
        Assert.NotSame(read, await Task.WhenAny(read, Task.Delay(Silence, TestContext.Current.CancellationToken)));

        _proxy.Heal();
        var count = await read.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal("held", Encoding.ASCII.GetString(buffer, 0, count));
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, _proxy.Port, TestContext.Current.CancellationToken);
        return client;
    }

    private static async Task<string> RoundTripAsync(TcpClient client, string text)
    {
        var stream = client.GetStream();
        var ct = TestContext.Current.CancellationToken;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct);
        var buffer = new byte[text.Length];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), ct).AsTask().WaitAsync(Bound, ct);
            Assert.True(read > 0, "the connection closed");
            total += read;
        }

        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>A broken connection reads end of stream or fails (a reset), within the bound.</summary>
    private static async Task AssertBrokenAsync(TcpClient client)
    {
        var ct = TestContext.Current.CancellationToken;
        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("x"), ct);
            var read = await stream.ReadAsync(new byte[1], ct).AsTask().WaitAsync(Bound, ct);
            Assert.Equal(0, read);
        }
        catch (IOException)
        {
            // Reset by peer: broken, as expected.
        }
        catch (SocketException)
        {
            // Same, surfaced directly.
        }
    }

    private async Task EchoAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var connection = await _echo.AcceptTcpClientAsync(_stopping.Token);
            _ = Task.Run(
                async () =>
                {
                    using (connection)
                    {
                        var stream = connection.GetStream();
                        var buffer = new byte[1024];
                        try
                        {
                            int read;
                            while ((read = await stream.ReadAsync(buffer, _stopping.Token)) > 0)
                            {
                                await stream.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
                            }
                        }
                        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
                        {
                            // The proxy reset the connection, or the test ended.
                        }
                    }
                },
                _stopping.Token);
        }
    }
}
