namespace Pegasus.Protocol.Data;

/// <summary>
/// The message size limits of the client data stream (<c>ReplicaData.Exchange</c>) and how they relate;
/// client and replica server both read them from here so they cannot drift apart.
/// </summary>
/// <remarks>
/// <para>
/// Every client shares one stream per replica server, so one message over a gRPC limit would fail the stream and
/// every request in flight on it, and a retried request would do it again. The limits are therefore nested:
/// </para>
/// <list type="bullet">
/// <item>Requests: a write's operation (<see cref="WriteSize"/>) is at most the replica server's
/// <c>Replica:MaxAllowedWriteSize</c> (default <see cref="DefaultMaxAllowedWriteSize"/>, Pegasus's
/// <c>max_allowed_write_size</c>; larger ones get <c>InvalidArgument</c> and change nothing; the client checks
/// the same first). The client batches requests up to its <c>MaxBatchBytes</c> (1 MiB) per message, sends a
/// larger request alone and refuses one over <see cref="MaxRequestBytes"/>; the server receives up to
/// <see cref="MaxMessageBytes"/>.</item>
/// <item>Responses: the server packs responses until a batch reaches <see cref="MaxResponseBatchBytes"/>, so a
/// message is at most that plus one response of at most <see cref="MaxResponseBytes"/>, below
/// <see cref="MaxMessageBytes"/>; the client accepts at least <see cref="MaxMessageBytes"/>. Storage bounds its
/// large answers well below <see cref="MaxResponseBytes"/>: a range multi-get at
/// <c>Storage:MultiGetMaxIterationSize</c> (30 MiB), a scan batch at <c>Storage:MaxScanBatchBytes</c> (4 MiB)
/// plus one record. A response still larger (a batch-get or multi-get by sort keys of many big values) is
/// answered with <c>InvalidArgument</c> instead of being sent.</item>
/// </list>
/// </remarks>
public static class DataStreamLimits
{
    /// <summary>The replica server's gRPC receive and send limit per message (ASP.NET Core's default is 4 MB).</summary>
    public const int MaxMessageBytes = 64 << 20;

    /// <summary>The largest single request a client sends: 1 MiB below <see cref="MaxMessageBytes"/>, room for the batch's framing.</summary>
    public const int MaxRequestBytes = MaxMessageBytes - (1 << 20);

    /// <summary>A response batch takes queued responses until it holds this many bytes.</summary>
    public const int MaxResponseBatchBytes = 1 << 20;

    /// <summary>
    /// The largest single response sent: a batch of just under <see cref="MaxResponseBatchBytes"/> plus one such
    /// response, with their framing, stays below <see cref="MaxMessageBytes"/>.
    /// </summary>
    public const int MaxResponseBytes = MaxMessageBytes - (2 * MaxResponseBatchBytes);

    /// <summary>Apache Pegasus's default <c>max_allowed_write_size</c>: 1 MiB.</summary>
    public const int DefaultMaxAllowedWriteSize = 1 << 20;

    /// <summary>The most a write-size limit may be: a write of it, sent alone, fits one message with room to spare.</summary>
    public const int MaxWriteSizeLimit = MaxMessageBytes / 2;

    /// <summary>
    /// A write's size as Apache Pegasus measures it for <c>max_allowed_write_size</c>: the serialized write
    /// operation (the request body), without the routing and trace header.
    /// </summary>
    /// <param name="request">A request.</param>
    /// <returns>The size in bytes, or -1 when the request is not a write.</returns>
    public static int WriteSize(DataRequest request) => request.OpCase switch
    {
        DataRequest.OpOneofCase.Set => request.Set.CalculateSize(),
        DataRequest.OpOneofCase.Delete => request.Delete.CalculateSize(),
        DataRequest.OpOneofCase.Incr => request.Incr.CalculateSize(),
        DataRequest.OpOneofCase.MultiSet => request.MultiSet.CalculateSize(),
        DataRequest.OpOneofCase.MultiDelete => request.MultiDelete.CalculateSize(),
        DataRequest.OpOneofCase.CheckAndSet => request.CheckAndSet.CalculateSize(),
        DataRequest.OpOneofCase.CheckAndMutate => request.CheckAndMutate.CalculateSize(),
        _ => -1,
    };
}
