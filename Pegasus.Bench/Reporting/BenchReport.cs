using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using HdrHistogram;
using Pegasus.Bench.Workload;
using Pegasus.LocalCluster;

namespace Pegasus.Bench.Reporting;

/// <summary>Prints the run's conditions and results, and the Markdown row the README's benchmark table takes.</summary>
public static class BenchReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Prints what the numbers depend on: the machine, the runtime, the settings.</summary>
    /// <param name="output">Where to print.</param>
    /// <param name="settings">The run's settings.</param>
    public static void WriteConditions(TextWriter output, BenchSettings settings)
    {
        output.WriteLine($"machine: {Environment.ProcessorCount} logical cores ({CpuModel()}), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture}");
        output.WriteLine($"client: {(GCSettings.IsServerGC ? "server" : "workstation")} GC; servers {(settings.LocalCluster ? $"started by the bench on this machine (1 meta + {settings.LocalReplicaServers} replica processes)" : "given by --meta/--admin")}");
        output.WriteLine($"workload: op {Name(settings.Operation)}{(settings.Operation == BenchOperation.Mixed ? $" ({settings.ReadPercent} % reads)" : "")}, value {settings.ValueSize} B, concurrency {settings.Concurrency}, "
            + $"warm-up {DurationText.Format(settings.Warmup)}, measured {DurationText.Format(settings.Duration)}, {settings.Keys} keys, timeout {DurationText.Format(settings.OperationTimeout)}");
    }

    /// <summary>Prints the measured results and the README row.</summary>
    /// <param name="output">Where to print.</param>
    /// <param name="settings">The run's settings.</param>
    /// <param name="partitions">The table's actual partition count.</param>
    /// <param name="result">The measurements.</param>
    /// <param name="stoppedEarly">Whether the run was cancelled before its end (the row then shows the time actually measured).</param>
    public static void WriteResult(TextWriter output, BenchSettings settings, int partitions, BenchResult result, bool stoppedEarly)
    {
        var latency = result.Latency;
        string Ms(double percentile) => Millis(latency.TotalCount == 0 ? 0 : latency.GetValueAtPercentile(percentile));
        var max = Millis(latency.TotalCount == 0 ? 0 : latency.GetMaxValue());
        var opsPerSecond = result.OperationsPerSecond.ToString("N0", Invariant);
        var errors = result.ErrorCount == 0 ? "0" : string.Join(", ", result.Errors.Select(e => $"{e.Key} {e.Value}"));

        var measured = stoppedEarly ? DurationText.Format(result.Elapsed) : DurationText.Format(settings.Duration);
        output.WriteLine();
        if (stoppedEarly)
        {
            output.WriteLine($"STOPPED EARLY: {measured} of {DurationText.Format(settings.Duration)} measured");
        }

        output.WriteLine($"ops:     {result.Operations.ToString("N0", Invariant)} ok (reads {result.Reads.ToString("N0", Invariant)}, writes {result.Writes.ToString("N0", Invariant)}) in {result.Elapsed.TotalSeconds.ToString("0.00", Invariant)} s = {opsPerSecond} ops/s");
        output.WriteLine($"latency: p50 {Ms(50)} ms, p90 {Ms(90)} ms, p99 {Ms(99)} ms, p99.9 {Ms(99.9)} ms, max {max} ms (successful ops, HdrHistogram, 3 significant digits)");
        output.WriteLine($"errors:  {errors} (measured); {result.WarmupErrors} during warm-up");
        output.WriteLine();
        output.WriteLine("README row:");
        output.WriteLine("| op | value | concurrency | partitions | duration | ops/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        output.WriteLine($"| {Name(settings.Operation)} | {settings.ValueSize} B | {settings.Concurrency} | {partitions} | {measured} | {opsPerSecond} | {Ms(50)} | {Ms(90)} | {Ms(99)} | {Ms(99.9)} | {max} | {result.ErrorCount} |");
    }

    /// <summary>Writes the CPU the servers and the bench spent over the measured window, in all and per operation.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="usage">The measured usage.</param>
    /// <param name="operations">Operations completed in the window.</param>
    public static void WriteCpu(TextWriter output, CpuUsage usage, long operations)
    {
        string Cores(double seconds) => (seconds / usage.WallSeconds).ToString("0.00", Invariant);
        string Micros(double micros) => micros.ToString("0.0", Invariant);
        output.WriteLine(
            $"cpu:     servers {Cores(usage.ServerSeconds)} cores = {Micros(usage.ServerMicrosPerOperation(operations))} µs per op; " +
            $"bench (client) {Cores(usage.ClientSeconds)} cores = {Micros(usage.ClientMicrosPerOperation(operations))} µs per op " +
            $"(measured window, {Environment.ProcessorCount} cores on the machine)");
    }

    /// <summary>Writes the runs of one invocation side by side (e.g. one copy per partition against three).</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="results">Each run's settings and result.</param>
    public static void WriteComparison(TextWriter output, IReadOnlyList<(BenchSettings Settings, BenchResult Result)> results)
    {
        output.WriteLine();
        output.WriteLine("Side by side (same cluster, same workload, one table per replica count):");
        output.WriteLine("| replica count | op | ops/s | p50 ms | p99 ms | p99.9 ms | errors |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (settings, result) in results)
        {
            var latency = result.Latency;
            string Ms(double percentile) => Millis(latency.TotalCount == 0 ? 0 : latency.GetValueAtPercentile(percentile));
            output.WriteLine(
                $"| {settings.ReplicaCount} | {Name(settings.Operation)} | {result.OperationsPerSecond.ToString("N0", Invariant)} | {Ms(50)} | {Ms(99)} | {Ms(99.9)} | {result.ErrorCount} |");
        }
    }

    private static string Name(BenchOperation operation) => operation.ToString().ToLowerInvariant();

    private static string Millis(long micros) => (micros / 1000.0).ToString("0.00", Invariant);

    private static string CpuModel()
    {
        // Linux only; elsewhere the core count and OS line have to do.
        const string CpuInfo = "/proc/cpuinfo";
        if (!File.Exists(CpuInfo))
        {
            return "model unknown";
        }

        var line = File.ReadLines(CpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "model unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
