using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Pegasus service shares: OpenTelemetry (exported over OTLP when the endpoint is
/// configured, as the Aspire dashboard does), health checks, service discovery, HttpClient
/// resilience, and the two listeners (gRPC over h2c, HTTP/1.1 for admin and health).
/// </summary>
public static class Extensions
{
    /// <summary>Activity sources and meters of our own, all named under this prefix.</summary>
    public const string TelemetryPrefix = "Pegasus.";

    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // Without an exporter nothing would read the spans and log records: recording them would cost every request
        // its activities for nothing (a large share of a replica server's CPU under load). The meters stay readable
        // through dotnet-counters either way.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryPrefix + "*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetryPrefix + "*")
                .AddAspNetCoreInstrumentation(options =>
                    // Health probes every few seconds would drown the real traces.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation());

        builder.Services.AddOpenTelemetry().UseOtlpExporter();

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Listens on two ports: <c>Ports:Grpc</c> (HTTP/2 without TLS, for the data path, beacons
    /// and routing) and <c>Ports:Http</c> (HTTP/1.1 and HTTP/2, for the admin API and health).
    /// Cleartext HTTP/2 cannot share a port with HTTP/1.1 (there is no ALPN to choose), hence two.
    /// When neither is configured, ASP.NET Core's own URL settings apply.
    /// </summary>
    public static TBuilder ConfigurePegasusListeners<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var grpcPort = builder.Configuration.GetValue<int?>("Ports:Grpc");
        var httpPort = builder.Configuration.GetValue<int?>("Ports:Http");
        var bindAddress = builder.Configuration["Ports:BindAddress"];
        if (grpcPort is null && httpPort is null)
        {
            return builder;
        }

        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            if (grpcPort is { } grpc)
            {
                Listen(kestrel, bindAddress, grpc, HttpProtocols.Http2);
            }

            if (httpPort is { } http)
            {
                Listen(kestrel, bindAddress, http, HttpProtocols.Http1AndHttp2);
            }
        });
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Readiness: every check must pass. Liveness: only those tagged "live".
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live"),
        });
        return app;
    }

    private static void Listen(KestrelServerOptions kestrel, string? bindAddress, int port, HttpProtocols protocols)
    {
        if (string.IsNullOrEmpty(bindAddress) || bindAddress is "*" or "0.0.0.0")
        {
            kestrel.ListenAnyIP(port, listen => listen.Protocols = protocols);
        }
        else if (bindAddress is "localhost")
        {
            kestrel.ListenLocalhost(port, listen => listen.Protocols = protocols);
        }
        else
        {
            kestrel.Listen(System.Net.IPAddress.Parse(bindAddress), port, listen => listen.Protocols = protocols);
        }
    }
}
