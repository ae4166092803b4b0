using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pegasus.Tests.Aspire;

/// <summary>
/// The real Pegasus.AppHost started through Aspire.Hosting.Testing: every server a real process,
/// data in a directory of this test's own, ports picked free (<c>Pegasus:Ports:Base=0</c>).
/// Disposal stops every process, writes the resources' console output to the test's output and
/// deletes the data.
/// </summary>
internal sealed class AppHostCluster : IAsyncDisposable
{
    /// <summary>Building three servers and starting them on two cores can take a while; a hang cannot take longer.</summary>
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Polling interval of the bounded waits below.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly DistributedApplication _app;
    private readonly string _dataRoot;
    private readonly CancellationTokenSource _logWatch = new();
    private readonly ConcurrentQueue<string> _logs = new();
    private readonly List<Task> _logPumps = [];

    private AppHostCluster(DistributedApplication app, string dataRoot, IReadOnlyList<string> resourceNames)
    {
        _app = app;
        _dataRoot = dataRoot;
        ResourceNames = resourceNames;
    }

    /// <summary>Names of the resources started (e.g. <c>meta-0</c>, <c>replica-2</c>, <c>zk</c>).</summary>
    public IReadOnlyList<string> ResourceNames { get; }

    public DistributedApplication App => _app;

    /// <summary>
    /// Builds the AppHost with <paramref name="args"/> (configuration, e.g. <c>--Pegasus:ZooKeeper=None</c>),
    /// lets <paramref name="configure"/> adjust the model, starts it and waits until every resource
    /// is healthy.
    /// </summary>
    public static async Task<AppHostCluster> StartAsync(
        IEnumerable<string> args,
        CancellationToken cancellationToken,
        Action<IDistributedApplicationTestingBuilder>? configure = null)
    {
        var dataRoot = Directory.CreateTempSubdirectory("pegasus-apphost-").FullName;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartupTimeout);

        string[] allArgs = [$"--Pegasus:DataRoot={dataRoot}", "--Pegasus:Ports:Base=0", .. args];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Pegasus_AppHost>(allArgs, timeout.Token);
        configure?.Invoke(builder);
        // Resources that start only on demand (e.g. Aspire's hidden per-project "rebuilder") are not part of the cluster.
        var names = builder.Resources
            .Where(resource => !resource.Annotations.OfType<ExplicitStartupAnnotation>().Any())
            .Select(resource => resource.Name)
            .ToArray();
        var app = await builder.BuildAsync(timeout.Token);
        var cluster = new AppHostCluster(app, dataRoot, names);
        try
        {
            cluster.StartLogPumps();
            await app.StartAsync(timeout.Token);
            await Task.WhenAll(names.Select(name => cluster.WaitForHealthyAsync(name, timeout.Token)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The allocated URI of one endpoint, e.g. (<c>meta-0</c>, <c>http</c>).</summary>
    public Uri GetEndpoint(string resourceName, string endpointName) => _app.GetEndpoint(resourceName, endpointName);

    /// <summary>The address a server advertises for <paramref name="endpointName"/> (the AppHost binds loopback).</summary>
    public string AdvertisedAddress(string resourceName, string endpointName) =>
        string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{GetEndpoint(resourceName, endpointName).Port}");

    /// <summary>Polls the meta's GET /v1/nodes until every expected replica server is alive; fails after <paramref name="limit"/>.</summary>
    public static async Task WaitForAliveNodesAsync(
        HttpClient admin, IReadOnlyCollection<string> expected, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        string[] alive = [];
        try
        {
            while (true)
            {
                var nodes = await admin.GetFromJsonAsync<NodeInfoJson[]>("/v1/nodes", timeout.Token) ?? [];
                alive = [.. nodes.Where(node => node.Alive).Select(node => node.Address).Order(StringComparer.Ordinal)];
                if (expected.All(alive.Contains))
                {
                    return;
                }

                await Task.Delay(PollInterval, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"Within {limit} the meta at {admin.BaseAddress} saw alive [{string.Join(", ", alive)}], expected [{string.Join(", ", expected)}].");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
            await _logWatch.CancelAsync();
            await Task.WhenAll(_logPumps);
            _logWatch.Dispose();
            WriteLogsToTestOutput();
            TryDeleteDataRoot();
        }
    }

    /// <summary>Waits until the resource is healthy, failing at once (with its logs) if it stops first.</summary>
    private async Task WaitForHealthyAsync(string name, CancellationToken cancellationToken)
    {
        var notifications = _app.Services.GetRequiredService<ResourceNotificationService>();
        ResourceEvent resourceEvent;
        try
        {
            resourceEvent = await notifications.WaitForResourceAsync(
                name,
                e => e.Snapshot.HealthStatus == HealthStatus.Healthy
                    || KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text),
                cancellationToken);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Resource '{name}' did not become healthy within {StartupTimeout}. See the test output for its logs.");
        }

        if (resourceEvent.Snapshot.HealthStatus != HealthStatus.Healthy)
        {
            throw new InvalidOperationException(
                $"Resource '{name}' ended in state '{resourceEvent.Snapshot.State?.Text}' (exit code {resourceEvent.Snapshot.ExitCode}) before becoming healthy. See the test output for its logs.");
        }
    }

    private void StartLogPumps()
    {
        var logger = _app.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var name in ResourceNames)
        {
            _logPumps.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in logger.WatchAsync(name).WithCancellation(_logWatch.Token))
                    {
                        foreach (var line in batch)
                        {
                            _logs.Enqueue($"[{name}]{(line.IsErrorMessage ? " (stderr)" : string.Empty)} {line.Content}");
                        }
                    }
                }
                catch (OperationCanceledException) when (_logWatch.IsCancellationRequested)
                {
                    // Disposal stops the watch; what was collected is written out then.
                }
            }));
        }
    }

    private void WriteLogsToTestOutput()
    {
        if (TestContext.Current.TestOutputHelper is not { } output)
        {
            return;
        }

        foreach (var line in _logs)
        {
            output.WriteLine(line);
        }
    }

    private void TryDeleteDataRoot()
    {
        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
            // A process that has not quite let go of a file must not fail the test; the OS temp cleaner gets it.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
