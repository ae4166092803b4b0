using Pegasus.Replica.Admin;
using Pegasus.Replica.Grpc;
using Pegasus.Replica.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.ConfigurePegasusListeners();
builder.AddReplicaServer();

var app = builder.Build();
app.MapGrpcService<ReplicaDataService>();
app.MapGrpcService<ReplicationService>();
app.MapReplicaAdmin();
app.MapDefaultEndpoints();
app.Run();
