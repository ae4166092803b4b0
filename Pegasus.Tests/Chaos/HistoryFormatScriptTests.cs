using System.Diagnostics;
using Pegasus.Chaos.History;

namespace Pegasus.Tests.Chaos;

/// <summary>Runs the project's format checker (a python3 script) on a history the writer wrote.</summary>
public sealed class HistoryFormatScriptTests
{
    // The shared tool; PEGASUS_HISTORY_FORMAT_CHECKER overrides it for machines with another layout.
    private static readonly string ScriptPath =
        Environment.GetEnvironmentVariable("PEGASUS_HISTORY_FORMAT_CHECKER") ?? "/work/shared/tools/check-history-format";

    [Fact]
    public async Task CheckHistoryFormat_WriterOutput_IsWellFormed()
    {
        Assert.True(File.Exists(ScriptPath), $"The history format checker is missing at {ScriptPath} (set PEGASUS_HISTORY_FORMAT_CHECKER).");
        var path = Path.Combine(Path.GetTempPath(), $"pegasus-history-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var writer = new HistoryWriter(path))
            {
                foreach (var operation in HistorySamples.EveryShape)
                {
                    writer.Append(operation);
                }
            }

            var (exitCode, output) = await RunPython3Async(ScriptPath, path);
            Assert.True(exitCode == 0, $"check-history-format rejected the writer's output (exit {exitCode}): {output}");
            Assert.Contains($"well-formed: {HistorySamples.EveryShape.Count} operations", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunPython3Async(string script, string file)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(file);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"python3 is needed to run {script} but could not be started: {e.Message}");
            throw;
        }

        using (process)
        {
            var token = TestContext.Current.CancellationToken;
            var stdout = process.StandardOutput.ReadToEndAsync(token);
            var stderr = process.StandardError.ReadToEndAsync(token);
            await process.WaitForExitAsync(token).WaitAsync(TimeSpan.FromSeconds(30), token);
            return (process.ExitCode, (await stdout) + (await stderr));
        }
    }
}
