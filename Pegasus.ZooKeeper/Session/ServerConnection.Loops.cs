using System.Buffers;
using System.Buffers.Binary;
using Pegasus.ZooKeeper.Protocol;
using Pegasus.ZooKeeper.Watches;

namespace Pegasus.ZooKeeper.Session;

internal sealed partial class ServerConnection
{
    // The Java client splits SetWatches the same way so one packet stays far below jute.maxbuffer.
    private const int SetWatchesChunkBytes = 128 * 1024;

    /// <summary>Queues SetWatches packets re-registering <paramref name="snapshot"/> (must precede any request).</summary>
    public void SendSetWatches(long relativeZxid, WatchSnapshot snapshot)
    {
        var data = new List<string>();
        var exist = new List<string>();
        var child = new List<string>();
        var bytes = 0;
        foreach (var (list, paths) in new[] { (data, snapshot.Data), (exist, snapshot.Exist), (child, snapshot.Child) })
        {
            foreach (var path in paths)
            {
                list.Add(path);
                bytes += path.Length + 4;
                if (bytes >= SetWatchesChunkBytes)
                {
                    SendControl(SetWatchesFrame(relativeZxid, data, exist, child));
                    data.Clear();
                    exist.Clear();
                    child.Clear();
                    bytes = 0;
                }
            }
        }

        if (data.Count + exist.Count + child.Count > 0)
        {
            SendControl(SetWatchesFrame(relativeZxid, data, exist, child));
        }
    }

    private static OutgoingFrame SetWatchesFrame(long relativeZxid, List<string> data, List<string> exist, List<string> child)
    {
        using var writer = new JuteWriter();
        writer.WriteInt32(Xids.SetWatches);
        writer.WriteInt32(OpCodes.SetWatches);
        writer.WriteInt64(relativeZxid);
        writer.WriteStringVector(data);
        writer.WriteStringVector(exist);
        writer.WriteStringVector(child);
        return writer.ToFrame();
    }

    private static OutgoingFrame PingFrame()
    {
        using var writer = new JuteWriter(16);
        writer.WriteInt32(Xids.Ping);
        writer.WriteInt32(OpCodes.Ping);
        return writer.ToFrame();
    }

    private async Task ReceiveLoopAsync(IConnectionOwner owner)
    {
        var lengthBytes = new byte[4];
        while (true)
        {
            await _stream.ReadExactlyAsync(lengthBytes, _abort.Token).ConfigureAwait(false);
            var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
            if (length < ReplyHeaderLength || length > MaxFrameLength)
            {
                throw new MarshallingErrorException($"Invalid frame length {length} from {Server}.");
            }

            var buffer = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                await _stream.ReadExactlyAsync(buffer.AsMemory(0, length), _abort.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastReceiveTimestamp, _timeProvider.GetTimestamp());
                HandleFrame(owner, buffer.AsSpan(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private void HandleFrame(IConnectionOwner owner, ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        var header = ReplyHeader.Read(ref reader);
        switch (header.Xid)
        {
            case Xids.Ping:
                return;
            case Xids.Notification:
                owner.OnWatchEvent(WatcherEventRecord.Read(ref reader));
                return;
            case Xids.SetWatches:
                if (header.Err != 0)
                {
                    owner.OnUnexpectedReply(Server, header.Xid, header.Err);
                }

                return;
            default:
                break;
        }

        Operations.PendingRequest? request;
        lock (_sendGate)
        {
            _pending.Remove(header.Xid, out request);
        }

        if (request is null)
        {
            // Replies come in request order, so a reply nobody waits for means the stream is out of step.
            throw new MarshallingErrorException($"Reply for unknown xid {header.Xid} from {Server}.");
        }

        if (header.Zxid > 0)
        {
            owner.OnZxid(header.Zxid);
        }

        request.Complete(header, ref reader);
    }

    private async Task SendLoopAsync()
    {
        try
        {
            var reader = _outgoing.Reader;
            while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        await _stream.WriteAsync(frame.Memory, _abort.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        frame.Release();
                    }

                    Volatile.Write(ref _lastSendTimestamp, _timeProvider.GetTimestamp());
                }
            }
        }
        catch (Exception ex)
        {
            Abort(ex is OperationCanceledException or ObjectDisposedException ? _abortReason : $"send failed: {ex.Message}");
        }
    }

    private async Task HeartbeatLoopAsync(TimeSpan sessionTimeout)
    {
        var pingInterval = sessionTimeout / 3;
        var readTimeout = sessionTimeout * 2 / 3;
        var minimumWait = TimeSpan.FromMilliseconds(10);
        try
        {
            while (true)
            {
                var now = _timeProvider.GetTimestamp();
                var sinceReceive = _timeProvider.GetElapsedTime(Volatile.Read(ref _lastReceiveTimestamp), now);
                if (sinceReceive >= readTimeout)
                {
                    Abort($"nothing received for {sinceReceive.TotalMilliseconds:F0} ms");
                    return;
                }

                var sinceSend = _timeProvider.GetElapsedTime(Volatile.Read(ref _lastSendTimestamp), now);
                if (sinceSend >= pingInterval)
                {
                    SendControl(PingFrame());
                    // Counts as a send now so a slow write does not trigger a second ping.
                    Volatile.Write(ref _lastSendTimestamp, now);
                    sinceSend = TimeSpan.Zero;
                }

                var wait = TimeSpan.FromTicks(Math.Min((pingInterval - sinceSend).Ticks, (readTimeout - sinceReceive).Ticks));
                await Task.Delay(wait < minimumWait ? minimumWait : wait, _timeProvider, _abort.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // The connection ended some other way.
        }
    }
}
