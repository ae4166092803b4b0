using System.Diagnostics;
using Pegasus.Tests.Cluster;

namespace Pegasus.Tests.Replication;

/// <summary>
/// The failure-detection timing rule (ZooKeeper session timeout &lt; replica lease &lt; meta grace period) is checked
/// when a process starts: settings that break it stop the process with a message naming them.
/// </summary>
public sealed class TimingRuleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_meta_whose_ZooKeeper_session_outlasts_the_replica_lease_refuses_to_start()
    {
        // Grace 10 s grants an 8 s lease; a 9 s session would let leases lapse during a meta failover.
        var (exitCode, output) = await RunAsync(
            "Pegasus.Meta",
            "--Meta:StateStore=ZooKeeper",
            "--ZooKeeper:ConnectionString=127.0.0.1:1",
            "--ZooKeeper:SessionTimeout=00:00:09",
            "--Meta:ReplicaGracePeriod=00:00:10");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Timing rule broken", output, StringComparison.Ordinal);
        Assert.Contains("ZooKeeper:SessionTimeout", output, StringComparison.Ordinal);
        Assert.Contains("Meta:ReplicaGracePeriod", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replica_whose_lease_is_not_longer_than_its_beacon_interval_refuses_to_start()
    {
        var directory = Path.Combine(Path.GetTempPath(), "pegasus-timing-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, output) = await RunAsync(
                "Pegasus.Replica",
                $"--Replica:DataDirectory={directory}",
                "--Replica:MetaServers=http://127.0.0.1:1",
                "--Replica:BeaconInterval=00:00:02",
                "--Replica:LeaseTimeout=00:00:02");

            Assert.NotEqual(0, exitCode);
            Assert.Contains("Replica:LeaseTimeout must be longer than Replica:BeaconInterval", output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string project, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServerProcess.LocateAssembly(project));
        start.ArgumentList.Add($"--Ports:Grpc={ServerProcess.GetFreeTcpPort()}");
        start.ArgumentList.Add($"--Ports:Http={ServerProcess.GetFreeTcpPort()}");
        start.ArgumentList.Add("--Ports:BindAddress=127.0.0.1");
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{project} did not refuse to start within 60 s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
