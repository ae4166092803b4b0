using System.CommandLine;
using System.CommandLine.Parsing;
using Pegasus.Chaos.Checking;
using Pegasus.Chaos.Nemesis;
using Pegasus.Chaos.Reporting;
using Pegasus.Client;
using Pegasus.LocalCluster;
using Pegasus.Protocol.Hashing;

namespace Pegasus.Chaos;

/// <summary>The command line: <c>run</c> (a chaos run against a local cluster) and <c>check FILE</c> (check a history).</summary>
public static class ChaosCommand
{
    /// <summary>Exit code of a run or check whose checks all passed.</summary>
    public const int Passed = 0;

    /// <summary>Exit code when a check failed (not linearizable, lost writes, unhealthy, unreadable history).</summary>
    public const int Failed = 1;

    /// <summary>Exit code when the run could not happen (bad options, cluster did not start).</summary>
    public const int CouldNotRun = 2;

    /// <summary>Exit code after Ctrl+C.</summary>
    public const int Cancelled = 130;

    /// <summary>Builds the root command.</summary>
    /// <returns>The command, ready to parse arguments.</returns>
    public static RootCommand Create()
    {
        var root = new RootCommand("Pegasus.Chaos: a recorded random workload against a local Pegasus cluster while a nemesis injects faults, checked for linearizability.")
        {
            RunCommand(),
            CheckCommand(),
        };
        return root;
    }

    private static Command RunCommand()
    {
        var defaults = new ChaosSettings();
        var timing = defaults.NemesisTiming;
        var duration = Duration("--duration", defaults.Duration, "How long the workload and the nemesis run");
        var servers = PositiveInt("--servers", defaults.Servers, "Replica server processes");
        var partitions = PositiveInt("--partitions", defaults.Partitions, "Partitions of the table (a power of two)");
        partitions.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var count && !PartitionResolver.IsValidPartitionCount(count))
            {
                result.AddError($"--partitions must be a power of two, not {count}.");
            }
        });
        var replicaCount = PositiveInt("--replica-count", defaults.ReplicaCount, "Replicas of each partition");
        var processes = PositiveInt("--processes", defaults.Processes, "Logical client processes (one operation in flight each)");
        var nemesis = new Option<NemesisKinds>("--nemesis")
        {
            Description = $"Faults, comma-separated: {string.Join(", ", NemesisNames.All)}",
            HelpName = "faults",
            DefaultValueFactory = _ => defaults.Nemesis,
            CustomParser = result =>
            {
                var text = string.Join(',', result.Tokens.Select(t => t.Value));
                if (NemesisNames.TryParse(text, out var kinds, out var unknown))
                {
                    return kinds;
                }

                result.AddError($"--nemesis: unknown fault '{unknown}'; use {string.Join(", ", NemesisNames.All)}.");
                return default;
            },
        };
        var history = new Option<string>("--history") { Description = "History file to write (JSON Lines)", DefaultValueFactory = _ => defaults.HistoryPath };
        var seed = new Option<int?>("--seed") { Description = "Seed of every random choice (default: random, printed)" };
        var opTimeout = Duration("--op-timeout", defaults.OperationTimeout, "Timeout of each operation (a write still unanswered is recorded unknown)");
        var rate = new Option<int>("--rate") { Description = "Target operations per second over all processes; 0 = back to back", DefaultValueFactory = _ => defaults.Rate };
        rate.Validators.Add(result => Check(result, result.GetValueOrDefault<int>() >= 0, "--rate must not be negative."));
        var registerKeys = PositiveInt("--register-keys", defaults.RegisterKeysPerPartition, "Register keys (get/set/del/cas) per partition");
        var counterKeys = new Option<int>("--counter-keys") { Description = "Counter keys (get/incr) per partition", DefaultValueFactory = _ => defaults.CounterKeysPerPartition };
        var interval = Range("--interval", timing.Interval, "Time from one fault's start to the next one's");
        var killDowntime = Range("--kill-downtime", timing.KillDowntime, "How long a killed replica server stays down");
        var pauseTime = Range("--pause-time", timing.PauseTime, "How long a paused (SIGSTOP) server stays stopped");
        var partitionTime = Range("--partition-time", timing.PartitionTime, "How long a server's links stay cut");
        var maxFaults = new Option<int?>("--max-faults") { Description = "Most faults to inject (default: no limit)" };
        maxFaults.Validators.Add(result => Check(result, result.GetValueOrDefault<int?>() is null or >= 0, "--max-faults must not be negative."));
        var metaDowntime = Range("--meta-downtime", timing.MetaDowntime, "How long a killed meta server (or, with crash-all, everything) stays down");
        var beacon = Duration("--beacon-interval", defaults.Timings.BeaconInterval, "Replica:BeaconInterval");
        var lease = Duration("--lease-timeout", defaults.Timings.LeaseTimeout, "Replica:LeaseTimeout");
        var grace = Duration("--grace-period", defaults.Timings.ReplicaGracePeriod, "Meta:ReplicaGracePeriod");
        var prepare = Duration("--prepare-timeout", defaults.Timings.PrepareTimeout, "Replica:PrepareTimeout");
        var metaConfig = KeyValues("--meta-config", "More meta server configuration, Key=Value (repeatable), e.g. Meta:ReplicaGracePeriod=00:00:05");
        var replicaConfig = KeyValues("--replica-config", "More replica server configuration, Key=Value (repeatable), e.g. Logging:LogLevel:Pegasus=Debug");
        var recovery = Duration("--recovery-timeout", defaults.RecoveryTimeout, "Bound of each recovery wait after the run (servers, health, final reads)");
        var start = Duration("--start-timeout", defaults.StartTimeout, "Bound of each wait for the cluster and the table to start");
        var keepData = new Option<KeepDataPolicy>("--keep-data") { Description = "Keep the cluster's data (hundreds of MB): Never, OnFailure, Always; server logs are kept whenever the run fails", DefaultValueFactory = _ => defaults.KeepData };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on stdout (progress goes to stderr)" };
        var checker = new CheckerOptionSet();

        var command = new Command("run", "Start a local cluster, run the workload under the nemesis, recover, read every key, write and check the history.")
        {
            duration, servers, partitions, replicaCount, processes, nemesis, history, seed, opTimeout, rate, registerKeys, counterKeys,
            interval, maxFaults, killDowntime, pauseTime, partitionTime, metaDowntime, beacon, lease, grace, prepare, metaConfig, replicaConfig,
            recovery, start, keepData, json, checker.TimePerKey, checker.StepsPerKey, checker.UnknownWindow,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new ChaosSettings
            {
                Duration = parse.GetValue(duration),
                Servers = parse.GetValue(servers),
                Partitions = parse.GetValue(partitions),
                ReplicaCount = parse.GetValue(replicaCount),
                Processes = parse.GetValue(processes),
                Nemesis = parse.GetValue(nemesis),
                HistoryPath = parse.GetRequiredValue(history),
                Seed = parse.GetValue(seed),
                OperationTimeout = parse.GetValue(opTimeout),
                Rate = parse.GetValue(rate),
                RegisterKeysPerPartition = parse.GetValue(registerKeys),
                CounterKeysPerPartition = parse.GetValue(counterKeys),
                NemesisTiming = new NemesisTiming
                {
                    Interval = parse.GetValue(interval),
                    MaxFaults = parse.GetValue(maxFaults),
                    KillDowntime = parse.GetValue(killDowntime),
                    PauseTime = parse.GetValue(pauseTime),
                    PartitionTime = parse.GetValue(partitionTime),
                    MetaDowntime = parse.GetValue(metaDowntime),
                },
                Timings = new ServerTimings
                {
                    BeaconInterval = parse.GetValue(beacon),
                    LeaseTimeout = parse.GetValue(lease),
                    ReplicaGracePeriod = parse.GetValue(grace),
                    PrepareTimeout = parse.GetValue(prepare),
                },
                MetaSettings = parse.GetValue(metaConfig) ?? new Dictionary<string, string>(),
                ReplicaSettings = parse.GetValue(replicaConfig) ?? new Dictionary<string, string>(),
                RecoveryTimeout = parse.GetValue(recovery),
                StartTimeout = parse.GetValue(start),
                KeepData = parse.GetValue(keepData),
                Checker = checker.Build(parse),
            };
            return await RunAsync(settings, parse.GetValue(json), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CheckCommand()
    {
        var file = new Argument<string>("file") { Description = "A history file (JSON Lines)" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var checker = new CheckerOptionSet();
        var command = new Command("check", "Read a history file and check it for linearizability.")
        {
            file, json, checker.TimePerKey, checker.StepsPerKey, checker.UnknownWindow,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var report = ChaosRunner.Check(parse.GetRequiredValue(file), checker.Build(parse), cancellationToken);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, ReportJsonContext.Default.CheckReport));
            }
            else if (report.FormatError is { } error)
            {
                Console.Out.WriteLine($"history {report.HistoryPath} could not be read: {error}");
            }
            else
            {
                Console.Out.WriteLine($"history: {report.HistoryPath} ({report.Operations.Sum(o => o.Total)} operations)");
                ReportWriter.WriteOperations(Console.Out, report.Operations);
                Console.Out.WriteLine($"checker: {report.Checker!.Outcome} ({report.Checker.Elapsed.TotalSeconds:0.0} s)");
                Console.Out.WriteLine(report.Checker.Summary);
            }

            return Task.FromResult(report.Passed ? Passed : Failed);
        });
        return command;
    }

    private static async Task<int> RunAsync(ChaosSettings settings, bool json, CancellationToken cancellationToken)
    {
        var progress = json ? Console.Error : Console.Out;
        try
        {
            var report = await ChaosRunner.RunAsync(settings, progress, cancellationToken).ConfigureAwait(false);
            if (json)
            {
                ReportWriter.WriteJson(Console.Out, report);
            }
            else
            {
                ReportWriter.WriteText(Console.Out, report);
            }

            return report.Passed ? Passed : Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"chaos run cancelled; the history so far is in {Path.GetFullPath(settings.HistoryPath)}").ConfigureAwait(false);
            return Cancelled;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FileNotFoundException or PegasusException)
        {
            // Expected ways for a run not to happen (bad settings, cluster or table did not come up): say why, no stack.
            await Console.Error.WriteLineAsync($"chaos run failed to run: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return CouldNotRun;
        }
    }

    private static Option<int> PositiveInt(string name, int defaultValue, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result => Check(result, result.GetValueOrDefault<int>() > 0, $"{name} must be positive."));
        return option;
    }

    private static Option<TimeSpan> Duration(string name, TimeSpan defaultValue, string description) => new(name)
    {
        Description = description + " (ms, s, m, h suffixes)",
        HelpName = "duration",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (DurationText.TryParse(text, out var value) && value > TimeSpan.Zero)
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a positive duration such as 500ms, 20s, 2m or 00:00:20.");
            return default;
        },
    };

    private static Option<DurationRange> Range(string name, DurationRange defaultValue, string description) => new(name)
    {
        Description = description + ", MIN-MAX or one duration",
        HelpName = "range",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            var parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
            if (DurationText.TryParse(parts[0], out var min))
            {
                var max = min;
                if (parts.Length == 1 || DurationText.TryParse(parts[1], out max))
                {
                    if (max >= min)
                    {
                        return new DurationRange(min, max);
                    }
                }
            }

            result.AddError($"{name}: '{text}' is not a duration range such as 20s-30s (or one duration such as 5s).");
            return default;
        },
    };

    private static Option<Dictionary<string, string>> KeyValues(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "Key=Value",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var token in result.Tokens)
            {
                var equals = token.Value.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    result.AddError($"{name}: '{token.Value}' is not Key=Value.");
                    return values;
                }

                values[token.Value[..equals]] = token.Value[(equals + 1)..];
            }

            return values;
        },
    };

    /// <summary>The checker's budget options, shared by <c>run</c> and <c>check</c>.</summary>
    private sealed class CheckerOptionSet
    {
        public CheckerOptionSet()
            => StepsPerKey.Validators.Add(result => Check(result, result.GetValueOrDefault<long>() > 0, "--check-steps-per-key must be positive."));

        public Option<TimeSpan> TimePerKey { get; } = Duration("--check-time-per-key", CheckerOptions.Default.MaxTimePerKey ?? TimeSpan.FromSeconds(30), "Search time one key may take before the checker calls it unknown");

        public Option<long> StepsPerKey { get; } = new("--check-steps-per-key")
        {
            Description = "Search steps one key may take before the checker calls it unknown",
            DefaultValueFactory = _ => CheckerOptions.Default.MaxStepsPerKey,
        };

        public Option<TimeSpan?> UnknownWindow { get; } = new("--unknown-window")
        {
            Description = "How long after its call an unknown write may still take effect (default: any time, exact); a bound makes the search cheaper",
            HelpName = "duration",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (DurationText.TryParse(text, out var value))
                {
                    return value;
                }

                result.AddError($"--unknown-window: '{text}' is not a duration such as 10s.");
                return null;
            },
        };

        public CheckerOptions Build(ParseResult parse) => CheckerOptions.Default with
        {
            MaxTimePerKey = parse.GetValue(TimePerKey),
            MaxStepsPerKey = parse.GetValue(StepsPerKey),
            UnknownEffectWindow = parse.GetValue(UnknownWindow),
        };
    }

    private static void Check(OptionResult result, bool valid, string error)
    {
        if (!valid)
        {
            result.AddError(error);
        }
    }
}
