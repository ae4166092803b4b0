namespace Pegasus.ZooKeeper;

/// <summary>Settings of a <see cref="ZooKeeperClient"/>.</summary>
public sealed class ZooKeeperClientOptions
{
    /// <summary>The configuration section these options usually bind to.</summary>
    public const string SectionName = "ZooKeeper";

    /// <summary>
    /// The servers and an optional chroot: <c>host:port,host:port[/chroot]</c>; the port defaults to 2181.
    /// With a chroot every path is relative to it (the chroot node itself must exist).
    /// </summary>
    /// <value>No default; required.</value>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The session timeout to ask for; the server clamps it to its [minSessionTimeout, maxSessionTimeout]
    /// (by default 2 to 20 ticks). Pings go out at a third of the negotiated timeout.
    /// </summary>
    /// <value>Defaults to 10 seconds.</value>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long <see cref="ZooKeeperClient.ConnectAsync(CancellationToken)"/> keeps trying the servers
    /// before failing with <see cref="ConnectionLossException"/>.
    /// </summary>
    /// <value>Defaults to 15 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The most requests that may be outstanding at once (queued or awaiting a reply); further callers
    /// wait asynchronously for a slot, which bounds the client's memory.
    /// </summary>
    /// <value>Defaults to 1000.</value>
    public int MaxPendingRequests { get; set; } = 1000;

    /// <summary>Returns every problem with these options (empty when they are valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Session.ConnectionString.TryParse(ConnectionString, out _, out var error))
        {
            errors.Add($"{nameof(ConnectionString)} is invalid: {error}.");
        }

        if (SessionTimeout < TimeSpan.FromMilliseconds(100) || SessionTimeout.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"{nameof(SessionTimeout)} must be between 100 ms and {int.MaxValue} ms.");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(ConnectTimeout)} must be positive.");
        }

        if (MaxPendingRequests < 1)
        {
            errors.Add($"{nameof(MaxPendingRequests)} must be at least 1.");
        }

        return errors;
    }
}
