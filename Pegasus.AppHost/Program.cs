using Pegasus.AppHost;
using Pegasus.AppHost.ZooKeeper;

// The local Pegasus cluster as a deployment diagram:
//   zk (container, local java, or none) -> meta-0..N -> replica-0..M
// PegasusClusterPlan decides the shape (see appsettings.json: Pegasus:ZooKeeper, Pegasus:MetaStateStore):
// ZooKeeper from a container, else a local install, else one meta on the embedded store.
var builder = DistributedApplication.CreateBuilder(args);

var options = PegasusClusterOptions.FromConfiguration(builder.Configuration);
var plan = PegasusClusterPlan.Create(options, repositoryRoot: Path.Combine(builder.AppHostDirectory, ".."));
builder.LogClusterPlanOnStart(plan);

// Meta servers: with ZooKeeper, one leader and hot standbys; without, one meta on the embedded store.
var metas = new List<IResourceBuilder<ProjectResource>>();
for (var i = 0; i < plan.Metas.Count; i++)
{
    metas.Add(builder.AddMetaServer($"meta-{i}", plan.Metas[i], plan));
}

// ZooKeeper: the metas' leader lock and durable cluster state.
switch (plan.ZooKeeper)
{
    case ZooKeeperHosting.Container:
        var zkContainer = builder.AddZooKeeper("zk", plan.ZooKeeperPort)
            .WithDataBindMount(plan.DataDirectoryOf("zk"));
        metas.ForEach(meta => meta.WithZooKeeper(zkContainer, plan.ZooKeeperSessionTimeout));
        break;
    case ZooKeeperHosting.Local:
        var zkLocal = builder.AddLocalZooKeeper("zk", plan.Installation!, plan.ZooKeeperPort, plan.DataDirectoryOf("zk"));
        metas.ForEach(meta => meta.WithZooKeeper(zkLocal, plan.ZooKeeperSessionTimeout));
        break;
}

// Replica servers: know every meta (they beacon whichever leads) and start once every meta
// is healthy; a standby is healthy once its ZooKeeper session is up, so this does not wait for
// an election that only one of them wins.
var metaServers = string.Join(',', plan.Metas.Select(ports => plan.AdvertisedAddress(ports.Grpc)));
for (var i = 0; i < plan.Replicas.Count; i++)
{
    var replica = builder.AddReplicaServer($"replica-{i}", plan.Replicas[i], plan, metaServers);
    metas.ForEach(meta => replica.WaitFor(meta));
}

builder.Build().Run();
