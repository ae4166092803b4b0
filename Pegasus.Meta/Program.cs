using Pegasus.Meta;
using Pegasus.Meta.Admin;
using Pegasus.Meta.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.ConfigurePegasusListeners();
builder.AddMetaServer();

var app = builder.Build();

app.MapGrpcService<MetaGrpcService>();
app.MapAdminApi();
app.MapDefaultEndpoints();

app.Run();
