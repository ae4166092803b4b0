using System.Diagnostics;
using System.Text;
using Pegasus.Chaos.Reporting;

namespace Pegasus.Tests.Chaos;

/// <summary>
/// The chaos tests kill, pause and cut off real processes and time failovers: they run one after another and alone,
/// after the parallel tests, so other tests' processes do not steal the CPU their timing depends on.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Chaos";
}

/// <summary>What the chaos tests share: a log into the test output, history paths, the format tool, report text.</summary>
internal static class ChaosTestSupport
{
    private const string FormatToolName = "check-history-format";

    private static readonly TimeSpan FormatToolTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A writer into the current test's output (and nowhere when there is none).</summary>
    /// <returns>The writer.</returns>
    public static TextWriter TestLog() => new TestOutputWriter();

    /// <summary>A fresh history file path under the temporary directory.</summary>
    /// <param name="name">Names the test.</param>
    /// <returns>The path (the file does not exist yet).</returns>
    public static string HistoryPath(string name) => Path.Combine(Path.GetTempPath(), $"pegasus-chaos-{name}-{Guid.NewGuid():N}.jsonl");

    /// <summary>The whole report as text, for assertion messages.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The text.</returns>
    public static string Describe(ChaosReport report)
    {
        using var text = new StringWriter();
        ReportWriter.WriteText(text, report);
        return text.ToString();
    }

    /// <summary>
    /// Runs the workspace's history format tool, <c>shared/tools/check-history-format</c>, on <paramref name="historyPath"/>
    /// and fails unless it accepts the file. The tool is found by walking up from the test's base directory (in this
    /// workspace it sits in <c>../shared/tools</c> beside the repository); a missing tool fails the test too.
    /// </summary>
    /// <param name="historyPath">The history.</param>
    /// <returns>A task that completes once the tool accepted the file.</returns>
    public static async Task AssertFormatToolAcceptsAsync(string historyPath)
    {
        var tool = FindFormatTool();
        if (tool is null)
        {
            Assert.Fail($"{FormatToolName} not found in a shared/tools directory above {AppContext.BaseDirectory}");
        }

        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(tool);
        start.ArgumentList.Add(historyPath);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var token = TestContext.Current.CancellationToken;
        var stdout = process.StandardOutput.ReadToEndAsync(token);
        var stderr = process.StandardError.ReadToEndAsync(token);
        await process.WaitForExitAsync(token).WaitAsync(FormatToolTimeout, token);
        var output = (await stdout) + (await stderr);
        Assert.True(process.ExitCode == 0, $"{FormatToolName} rejected {historyPath} (exit {process.ExitCode}): {output}");
        Assert.Contains("well-formed", output, StringComparison.Ordinal);
    }

    private static string? FindFormatTool()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "tools", FormatToolName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Line-buffers writes into <see cref="TestContext.TestOutputHelper"/> (which takes whole lines).</summary>
    private sealed class TestOutputWriter : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                Flush();
            }
            else if (value != '\r')
            {
                _line.Append(value);
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
            {
                Write(c);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Flush();
        }

        public override void Flush()
        {
            var line = _line.ToString();
            _line.Clear();
            try
            {
                TestContext.Current.TestOutputHelper?.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // The test already finished (a late line from a background task): nowhere to write it.
            }
        }
    }
}
