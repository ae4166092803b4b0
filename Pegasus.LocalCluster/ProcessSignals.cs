using System.Runtime.InteropServices;

namespace Pegasus.LocalCluster;

/// <summary>POSIX signals to a process (libc <c>kill</c>): what <c>kill -STOP</c>, <c>kill -CONT</c> and <c>kill -TERM</c> do.</summary>
public static partial class ProcessSignals
{
    /// <summary>SIGKILL: ends the process at once; it cannot be caught or ignored.</summary>
    public const int Sigkill = 9;

    /// <summary>SIGTERM: asks the process to shut down.</summary>
    public const int Sigterm = 15;

    /// <summary>SIGSTOP on Linux: stops the process where it is; it cannot be caught or ignored.</summary>
    public const int Sigstop = 19;

    /// <summary>SIGCONT on Linux: continues a stopped process.</summary>
    public const int Sigcont = 18;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="processId"/>.</summary>
    /// <param name="processId">The process.</param>
    /// <param name="signal">The signal number (the constants here are Linux's).</param>
    /// <returns>Whether the signal was sent; false on Windows, on macOS for STOP/CONT (other numbers), or when the process is gone.</returns>
    public static bool TrySend(int processId, int signal)
    {
        // The STOP/CONT numbers above are Linux's (macOS uses 17/19): refuse rather than send the wrong signal.
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        return Kill(processId, signal) == 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
