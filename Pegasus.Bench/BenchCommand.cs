using System.CommandLine;
using System.CommandLine.Parsing;
using Pegasus.LocalCluster;
using Pegasus.Protocol.Hashing;

namespace Pegasus.Bench;

/// <summary>The command line: options, their validation, and the action that runs <see cref="BenchApp"/>.</summary>
public static class BenchCommand
{
    /// <summary>Builds the root command.</summary>
    /// <returns>The command, ready to parse arguments.</returns>
    public static RootCommand Create()
    {
        var meta = new Option<string>("--meta") { Description = "Meta servers' gRPC addresses, comma-separated", DefaultValueFactory = _ => "http://127.0.0.1:35601" };
        var admin = new Option<string>("--admin") { Description = "Meta servers' admin HTTP addresses, comma-separated", DefaultValueFactory = _ => "http://127.0.0.1:35701" };
        var cluster = new Option<string>("--cluster") { Description = "'local' starts an embedded meta and replica servers on free loopback ports (and removes them after); 'none' uses --meta/--admin", DefaultValueFactory = _ => "none" };
        cluster.AcceptOnlyFromAmong("none", "local");
        var localReplicas = PositiveInt("--local-replicas", 3, "Replica server processes of a --cluster local");
        var table = new Option<string>("--table") { Description = "Table name; created when missing", DefaultValueFactory = _ => "bench" };
        var partitions = PositiveInt("--partitions", 8, "Partition count of a table the bench creates (a power of two)");
        partitions.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var count && !PartitionResolver.IsValidPartitionCount(count))
            {
                result.AddError($"--partitions must be a power of two, not {count}.");
            }
        });
        var replicaCount = PositiveInt("--replica-count", 3, "Replica count a created table records");
        var compare = new Option<string>("--compare-replica-counts")
        {
            Description = "Comma-separated replica counts (e.g. 1,3): run the workload once per count, each on its own table '<table>-rf<n>' in the same cluster, and print them side by side",
            DefaultValueFactory = _ => "",
        };
        compare.Validators.Add(result => Check(
            result,
            SplitList(result.GetValueOrDefault<string>() ?? "").All(n => int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 5),
            "--compare-replica-counts must list replica counts 1..5, e.g. 1,3."));
        var op = new Option<BenchOperation>("--op") { Description = "set, get or mixed", DefaultValueFactory = _ => BenchOperation.Set };
        var readPercent = new Option<int>("--read-percent") { Description = "Share of reads in --op mixed", DefaultValueFactory = _ => 50 };
        readPercent.Validators.Add(result => Check(result, result.GetValueOrDefault<int>() is >= 0 and <= 100, "--read-percent must be 0..100."));
        var valueSize = new Option<int>("--value-size") { Description = "Value size in bytes", DefaultValueFactory = _ => 100 };
        valueSize.Validators.Add(result => Check(result, result.GetValueOrDefault<int>() >= 0, "--value-size must not be negative."));
        var concurrency = PositiveInt("--concurrency", 64, "Operations in flight (one async loop each)");
        var duration = Duration("--duration", TimeSpan.FromSeconds(20), "Measured time, e.g. 20s", allowZero: false);
        var warmup = Duration("--warmup", TimeSpan.FromSeconds(5), "Unmeasured time before it, e.g. 5s", allowZero: true);
        var keys = PositiveInt("--keys", 100_000, "Distinct keys");
        var timeout = Duration("--timeout", TimeSpan.FromSeconds(5), "Timeout of each operation", allowZero: false);
        var startTimeout = Duration("--start-timeout", TimeSpan.FromSeconds(90), "Bound of each wait for the cluster and the table", allowZero: false);

        var root = new RootCommand("Pegasus.Bench: throughput and latency of the Pegasus data path through Pegasus.Client.")
        {
            meta, admin, cluster, localReplicas, table, partitions, replicaCount, compare, op, readPercent, valueSize,
            concurrency, duration, warmup, keys, timeout, startTimeout,
        };
        root.SetAction((parse, cancellationToken) =>
        {
            var settings = new BenchSettings
            {
                MetaServers = SplitList(parse.GetRequiredValue(meta)),
                AdminServers = SplitList(parse.GetRequiredValue(admin)),
                LocalCluster = parse.GetRequiredValue(cluster) == "local",
                LocalReplicaServers = parse.GetValue(localReplicas),
                Table = parse.GetRequiredValue(table),
                Partitions = parse.GetValue(partitions),
                ReplicaCount = parse.GetValue(replicaCount),
                CompareReplicaCounts = [.. SplitList(parse.GetRequiredValue(compare)).Select(n => int.Parse(n, System.Globalization.CultureInfo.InvariantCulture))],
                Operation = parse.GetValue(op),
                ReadPercent = parse.GetValue(readPercent),
                ValueSize = parse.GetValue(valueSize),
                Concurrency = parse.GetValue(concurrency),
                Duration = parse.GetValue(duration),
                Warmup = parse.GetValue(warmup),
                Keys = parse.GetValue(keys),
                OperationTimeout = parse.GetValue(timeout),
                StartTimeout = parse.GetValue(startTimeout),
            };
            return BenchApp.RunAsync(settings, Console.Out, cancellationToken);
        });
        return root;
    }

    private static Option<int> PositiveInt(string name, int defaultValue, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result => Check(result, result.GetValueOrDefault<int>() > 0, $"{name} must be positive."));
        return option;
    }

    private static Option<TimeSpan> Duration(string name, TimeSpan defaultValue, string description, bool allowZero) => new(name)
    {
        Description = description + " (ms, s, m, h suffixes)",
        HelpName = "duration",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (DurationText.TryParse(text, out var value) && (allowZero || value > TimeSpan.Zero))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a {(allowZero ? "" : "positive ")}duration such as 500ms, 20s, 2m or 00:00:20.");
            return default;
        },
    };

    private static void Check(OptionResult result, bool valid, string error)
    {
        if (!valid)
        {
            result.AddError(error);
        }
    }

    private static string[] SplitList(string text)
        => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
