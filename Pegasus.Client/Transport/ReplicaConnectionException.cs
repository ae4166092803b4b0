namespace Pegasus.Client.Transport;

/// <summary>
/// The data stream to a replica server broke (or could not be opened) before a request was answered.
/// Always retryable: the request may or may not have been applied.
/// </summary>
internal sealed class ReplicaConnectionException(string address, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Address { get; } = address;
}
