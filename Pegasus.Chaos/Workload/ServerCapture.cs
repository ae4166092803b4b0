using System.Diagnostics;

namespace Pegasus.Chaos.Workload;

/// <summary>
/// Learns which replica server a client operation went to, from the client's own tracing: each workload operation
/// runs inside an activity of this tool's source, and when the client's activity for it stops, its
/// <c>server.address</c> tag (the primary its last attempt was sent to, i.e. the server that answered) is copied onto
/// ours. No tag means the client never sent the request (it failed before any attempt reached a server).
/// </summary>
internal static class ServerCapture
{
    private const string ClientSourceName = "Pegasus.Client";
    private const string ServerTag = "server.address";
    private const string ServerProperty = "pegasus.chaos.server";

    private static readonly ActivitySource Source = new("Pegasus.Chaos.Workload");

    // Process-wide and never removed: sources are matched by name, and every run shares it.
    private static readonly ActivityListener Listener = Listen();

    /// <summary>Starts the activity one operation runs in (the client's activity becomes its child).</summary>
    /// <param name="name">The operation's name.</param>
    /// <returns>The activity; null only if tracing is unavailable.</returns>
    public static Activity? StartOperation(string name)
    {
        GC.KeepAlive(Listener);
        return Source.StartActivity(name, ActivityKind.Internal);
    }

    /// <summary>The server the client last sent the operation to; null when it sent nothing.</summary>
    /// <param name="operation">The activity from <see cref="StartOperation"/>.</param>
    /// <returns>The server's address.</returns>
    public static string? ServerOf(Activity? operation) => operation?.GetCustomProperty(ServerProperty) as string;

    /// <summary>Whether the client may have sent the operation to a server (true when it cannot be told).</summary>
    /// <param name="operation">The activity from <see cref="StartOperation"/>.</param>
    /// <returns>False only when the client certainly sent nothing.</returns>
    public static bool MayHaveSent(Activity? operation) => operation is null || ServerOf(operation) is not null;

    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source == Source || source.Name == ClientSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = static activity =>
            {
                if (activity.Source.Name == ClientSourceName && activity.Parent is { } parent && parent.Source == Source
                    && activity.GetTagItem(ServerTag) is string server)
                {
                    parent.SetCustomProperty(ServerProperty, server);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
