using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pegasus.AppHost;

internal enum AppHostEventId
{
    ZooKeeperMode = 1,
    EmbeddedMode = 2,
    EmbeddedFallback = 3,
    Endpoints = 4,
}

/// <summary>Says at startup which cluster shape was chosen and why, and where to reach it.</summary>
internal static partial class AppHostLog
{
    /// <summary>Logs the plan once the host's logging exists (just before resources start).</summary>
    public static void LogClusterPlanOnStart(this IDistributedApplicationBuilder builder, PegasusClusterPlan plan)
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Pegasus.AppHost");
            if (plan.ZooKeeper != ZooKeeperHosting.None)
            {
                var mode = plan.ZooKeeper == ZooKeeperHosting.Local ? "local" : "container";
                var hosting = plan.ZooKeeper == ZooKeeperHosting.Local ? "a local java process" : "a container";
                LogZooKeeperMode(logger, mode, hosting, plan.ZooKeeperPort, plan.Metas.Count, plan.ZooKeeperSessionTimeout, plan.Reason);
            }
            else if (plan.FellBackToEmbedded)
            {
                LogEmbeddedFallback(logger, plan.Reason);
            }
            else
            {
                LogEmbeddedMode(logger, plan.Reason);
            }

            var metaHttp = string.Join(", ", plan.Metas.Select(ports => plan.AdvertisedAddress(ports.Http)));
            LogEndpoints(logger, metaHttp, plan.Replicas.Count, plan.DataRoot);
            return Task.CompletedTask;
        });
    }

    [LoggerMessage(EventId = (int)AppHostEventId.ZooKeeperMode, Level = LogLevel.Information,
        Message = "Pegasus cluster in {Mode} ZooKeeper mode: ZooKeeper as {Hosting} on port {Port}, {MetaCount} meta servers "
            + "(Meta:StateStore=ZooKeeper: one leader, the others hot standby; ZooKeeper:SessionTimeout {SessionTimeout}), because {Reason}")]
    private static partial void LogZooKeeperMode(
        ILogger logger, string mode, string hosting, int port, int metaCount, TimeSpan sessionTimeout, string reason);

    [LoggerMessage(EventId = (int)AppHostEventId.EmbeddedMode, Level = LogLevel.Information,
        Message = "Pegasus cluster in embedded single-meta mode: one meta server (meta-0, Meta:StateStore=Embedded), no ZooKeeper, because {Reason}")]
    private static partial void LogEmbeddedMode(ILogger logger, string reason);

    [LoggerMessage(EventId = (int)AppHostEventId.EmbeddedFallback, Level = LogLevel.Warning,
        Message = "Pegasus cluster falls back to embedded single-meta mode: one meta server (meta-0, Meta:StateStore=Embedded), no ZooKeeper, because there is {Reason}")]
    private static partial void LogEmbeddedFallback(ILogger logger, string reason);

    [LoggerMessage(EventId = (int)AppHostEventId.Endpoints, Level = LogLevel.Information,
        Message = "Meta admin API at {MetaHttp} (e.g. GET /v1/cluster; a standby answers 421 with the leader); {ReplicaCount} replica servers; data under {DataRoot}")]
    private static partial void LogEndpoints(ILogger logger, string metaHttp, int replicaCount, string dataRoot);
}
