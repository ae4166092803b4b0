namespace Pegasus.Client.Transport;

/// <summary>
/// The message size limits of the client's data stream to a replica server (<c>ReplicaData.Exchange</c>).
/// </summary>
/// <remarks>
/// <para>
/// One gRPC message that breaks a limit fails the whole stream, and with it every request in flight on it,
/// so the client keeps every message it sends below the server's receive limit and refuses, before sending,
/// a request that could not fit:
/// </para>
/// <list type="bullet">
/// <item>a write whose operation is larger than <see cref="PegasusClientOptions.MaxAllowedWriteSize"/> (1 MiB,
/// the server checks the same) fails with <c>InvalidArgument</c>;</item>
/// <item>any request larger than <see cref="MaxRequestBytes"/> fails with <c>InvalidArgument</c>;</item>
/// <item>a batch holds requests up to <see cref="PegasusClientOptions.MaxBatchBytes"/> (1 MiB); a larger
/// request goes alone, so a message is at most max(MaxBatchBytes, one request) &lt; <see cref="ServerMaxMessageBytes"/>.</item>
/// </list>
/// <para>
/// Responses: the server sends at most <see cref="ServerMaxMessageBytes"/> per message (its response batches
/// hold ~1 MiB plus one response, and a response too large for that is answered with <c>InvalidArgument</c>),
/// and <see cref="PegasusClientOptions.MaxReceiveMessageBytes"/> must be at least that.
/// </para>
/// </remarks>
internal static class DataStreamLimits
{
    /// <summary>
    /// The replica server's gRPC receive and send limit per message; it must equal
    /// <c>Pegasus.Replica.Grpc.DataStreamLimits.MaxMessageBytes</c>.
    /// </summary>
    public const int ServerMaxMessageBytes = 64 << 20;

    /// <summary>
    /// The largest single request the client sends: 1 MiB below <see cref="ServerMaxMessageBytes"/>, room for
    /// the batch's framing.
    /// </summary>
    public const int MaxRequestBytes = ServerMaxMessageBytes - (1 << 20);
}
