using System.Runtime.InteropServices;

namespace Pegasus.Meta.State;

/// <summary>
/// Replaces a file so that a crash at any moment leaves either the old or the new content, never a
/// mix: write a temporary file, fsync it, rename it over the target (atomic on POSIX), fsync the
/// directory so the rename itself survives power loss.
/// </summary>
internal static partial class DurableFile
{
    /// <summary>The suffix of the temporary file written before the rename.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="content"/>, durably.</summary>
    /// <param name="path">The file to replace.</param>
    /// <param name="content">The new content.</param>
    /// <param name="cancellationToken">Cancels before the rename; after it the write completes.</param>
    /// <returns>A task that completes once the new content is on disk.</returns>
    public static async Task ReplaceAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temporary = path + TemporarySuffix;
        await using (var stream = new FileStream(
            temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous))
        {
            await stream.WriteAsync(content, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        // Past this point the new state is visible, so it must not be abandoned half way.
        File.Move(temporary, path, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    private static void FlushDirectory(string directory)
    {
        // Windows has no directory fsync (and NTFS journals renames); elsewhere the rename lives in the directory's data.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, flags: 0);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
