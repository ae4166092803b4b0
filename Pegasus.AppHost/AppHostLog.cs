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
                LogZooKeeperMode(logger, plan.ZooKeeper, plan.ZooKeeperPort, plan.Metas.Count, plan.Reason);
            }
            else if (plan.FellBackToEmbedded)
            {
                LogEmbeddedFallback(logger, plan.Reason);
            }
            else
            {
                LogEmbeddedMode(logger, plan.Reason);
            }

            LogEndpoints(logger, plan.AdvertisedAddress(plan.Metas[0].Http), plan.Replicas.Count, plan.DataRoot);
            return Task.CompletedTask;
        });
    }

    [LoggerMessage(EventId = (int)AppHostEventId.ZooKeeperMode, Level = LogLevel.Information,
        Message = "Pegasus cluster with ZooKeeper ({Hosting}, port {Port}) and {MetaCount} meta servers (Meta:StateStore=ZooKeeper): {Reason}")]
    private static partial void LogZooKeeperMode(ILogger logger, ZooKeeperHosting hosting, int port, int metaCount, string reason);

    [LoggerMessage(EventId = (int)AppHostEventId.EmbeddedMode, Level = LogLevel.Information,
        Message = "Pegasus cluster in embedded single-meta mode: one meta server (meta-0, Meta:StateStore=Embedded), no ZooKeeper, because {Reason}")]
    private static partial void LogEmbeddedMode(ILogger logger, string reason);

    [LoggerMessage(EventId = (int)AppHostEventId.EmbeddedFallback, Level = LogLevel.Warning,
        Message = "Pegasus cluster falls back to embedded single-meta mode: one meta server (meta-0, Meta:StateStore=Embedded), no ZooKeeper, because there is {Reason}")]
    private static partial void LogEmbeddedFallback(ILogger logger, string reason);

    [LoggerMessage(EventId = (int)AppHostEventId.Endpoints, Level = LogLevel.Information,
        Message = "Meta admin API at {MetaHttp} (e.g. GET /v1/cluster); {ReplicaCount} replica servers; data under {DataRoot}")]
    private static partial void LogEndpoints(ILogger logger, string metaHttp, int replicaCount, string dataRoot);
}
