using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pegasus.Chaos.Nemesis;
using Pegasus.Chaos.Workload;

namespace Pegasus.Chaos.Reporting;

/// <summary>Writes a <see cref="ChaosReport"/> for people (text) or for tools (JSON).</summary>
public static class ReportWriter
{
    /// <summary>Writes the report as text.</summary>
    /// <param name="output">Where to.</param>
    /// <param name="report">The report.</param>
    public static void WriteText(TextWriter output, ChaosReport report)
    {
        output.WriteLine();
        output.WriteLine($"== chaos report (seed {report.Seed.ToString(CultureInfo.InvariantCulture)})");
        output.WriteLine($"run:        {report.Settings}; workload {report.WorkloadSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        output.WriteLine($"history:    {report.HistoryPath} ({report.Operations.Sum(o => o.Total)} operations)");
        if (report.ClusterDirectory is { } directory)
        {
            output.WriteLine(report.ClusterDataKept
                ? $"cluster:    data and server logs kept in {directory}"
                : $"cluster:    server logs kept in {Path.Combine(directory, "logs")}");
        }

        WriteOperations(output, report.Operations);
        output.WriteLine("nemesis:");
        if (report.Events.Count == 0)
        {
            output.WriteLine("  (no events)");
        }

        foreach (var entry in report.Events)
        {
            output.WriteLine($"  [{HistoryClock.Format(entry.Time),9}] {NemesisLog.Describe(entry)}");
        }

        if (report.Kills.Count > 0)
        {
            output.WriteLine("write unavailability per kill (kill -> first successful write invoked after it, worst partition):");
            foreach (var kill in report.Kills)
            {
                var worst = kill.MaxSeconds is { } seconds
                    ? $"{seconds.ToString("0.00", CultureInfo.InvariantCulture)} s (partition {kill.SlowestPartition})"
                    : "no partition recovered";
                var unrecovered = kill.Unrecovered.Count == 0 ? "" : $"; NO successful write afterwards in partitions [{string.Join(", ", kill.Unrecovered)}]";
                output.WriteLine($"  [{HistoryClock.Format(kill.Time),9}] {kill.Target}: {worst} over partitions [{string.Join(", ", kill.Partitions)}]{unrecovered}");
            }
        }

        var health = report.FinalHealth;
        output.WriteLine(health.Healthy
            ? $"health:     every partition has a primary and its secondaries (after {health.WaitedSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)"
            : $"health:     NOT healthy after {health.WaitedSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s{(health.Error is { } error ? ": " + error : "")}");
        foreach (var partition in health.Partitions)
        {
            output.WriteLine($"  partition {partition.Partition}: ballot {partition.Ballot}, primary {partition.Primary ?? "(none)"}, {partition.Secondaries} secondaries");
        }

        var reads = report.FinalReads;
        output.WriteLine($"final read: {reads.Read}/{reads.Keys} keys read ({reads.Attempts} attempts){(reads.Unread.Count > 0 ? "; unread: " + string.Join(", ", reads.Unread) : "")}");
        var lost = report.LostWrites;
        output.WriteLine($"lost:       {lost.Lost} acknowledged writes lost, {lost.Spurious} unexplained final states ({lost.KeysChecked} keys checked)");
        foreach (var anomaly in lost.Anomalies)
        {
            output.WriteLine("  " + anomaly);
        }

        output.WriteLine($"checker:    {report.Checker.Outcome} ({report.Checker.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
        foreach (var line in report.Checker.Summary.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(60))
        {
            output.WriteLine("  " + line.TrimEnd());
        }

        output.WriteLine(report.Passed ? "verdict:    PASS" : "verdict:    FAIL");
        foreach (var problem in report.Problems)
        {
            output.WriteLine("  - " + problem);
        }
    }

    /// <summary>Writes the operation counts as a small table.</summary>
    /// <param name="output">Where to.</param>
    /// <param name="operations">The counts.</param>
    public static void WriteOperations(TextWriter output, IReadOnlyList<OperationCount> operations)
    {
        output.WriteLine("operations:     ok    fail unknown");
        foreach (var row in operations)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Op,-6} {row.Ok,9} {row.Fail,7} {row.Unknown,7}"));
        }
    }

    /// <summary>Writes the report as indented JSON (camelCase).</summary>
    /// <param name="output">Where to.</param>
    /// <param name="report">The report.</param>
    public static void WriteJson(TextWriter output, ChaosReport report)
        => output.WriteLine(JsonSerializer.Serialize(report, ReportJsonContext.Default.ChaosReport));
}

/// <summary>The JSON shape of reports.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ChaosReport))]
[JsonSerializable(typeof(CheckReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
