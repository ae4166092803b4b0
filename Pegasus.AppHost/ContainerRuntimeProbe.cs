using System.Diagnostics;
using System.ComponentModel;

namespace Pegasus.AppHost;

/// <summary>Does a container runtime answer? (<c>docker info</c> within a few seconds.)</summary>
internal static class ContainerRuntimeProbe
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static bool Answers(string runtime, out string detail)
    {
        var start = new ProcessStartInfo(runtime)
        {
            ArgumentList = { "info", "--format", "{{.ServerVersion}}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                detail = $"'{runtime}' did not start";
                return false;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                // A client whose daemon hangs is as good as none for a developer waiting on startup.
                process.Kill(entireProcessTree: true);
                detail = $"'{runtime} info' did not answer within {ProbeTimeout.TotalSeconds:0} s";
                return false;
            }

            detail = process.ExitCode == 0
                ? $"{runtime} {output.Result.Trim()}"
                : $"'{runtime} info' failed: {error.Result.Trim()}";
            return process.ExitCode == 0;
        }
        catch (Win32Exception exception)
        {
            detail = $"'{runtime}' is not installed ({exception.Message})";
            return false;
        }
    }
}
