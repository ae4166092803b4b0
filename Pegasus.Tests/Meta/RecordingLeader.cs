using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Pegasus.Meta.Admin;
using Pegasus.Tests.Cluster;

namespace Pegasus.Tests.Meta;

/// <summary>
/// An HTTP server on a loopback port standing in for the meta leader in the forwarding tests of one class (the standby's
/// filter): it records each call it gets and answers 202 with a JSON body naming it.
/// </summary>
internal sealed class RecordingLeader : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingLeader(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public ConcurrentQueue<Call> Calls { get; } = new();

    public static async Task<RecordingLeader> StartAsync()
    {
        var port = MetaServerProcess.GetFreeTcpPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var leader = new RecordingLeader(app, $"http://127.0.0.1:{port}");
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var pathAndQuery = $"{context.Request.Path}{context.Request.QueryString}";
            leader.Calls.Enqueue(new Call(
                context.Request.Method, pathAndQuery, body, context.Request.Headers.ContainsKey(AdminForwarder.ForwardedByHeader)));
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"seen\":\"{context.Request.Method} {pathAndQuery}\"}}", context.RequestAborted);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return leader;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    public sealed record Call(string Method, string PathAndQuery, string Body, bool Forwarded);
}
