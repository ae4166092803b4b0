using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Pegasus.Replica.Replication.Log;

/// <summary>One segment file of a mutation log and what the log knows about it.</summary>
internal sealed class LogSegment(SegmentHeader header, string path)
{
    private const string Prefix = "log.";
    private const string Suffix = ".plog";

    public SegmentHeader Header { get; } = header;

    public long Index => Header.Index;

    public string Path { get; } = path;

    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>Bytes of the file that hold the header and whole, valid records.</summary>
    public long Length { get; set; } = LogFormat.SegmentHeaderBytes;

    /// <summary>The highest decree of any record in the file, superseded or not; 0 when none.</summary>
    public long MaxWrittenDecree { get; set; }

    public bool HasRecords => Length > LogFormat.SegmentHeaderBytes;

    /// <summary>
    /// Open for writing while this is the active segment, null once it is closed. Set and cleared
    /// under the log's sync lock, so an fsync never races the close.
    /// </summary>
    public SafeFileHandle? Handle { get; set; }

    public static string FileNameFor(long index, long firstDecree)
        => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{index}.{firstDecree}{Suffix}");

    /// <summary>Reads the index out of a segment file name; false for any other file.</summary>
    public static bool TryParseIndex(string fileName, out long index)
    {
        index = 0;
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var middle = fileName.AsSpan(Prefix.Length, fileName.Length - Prefix.Length - Suffix.Length);
        var dot = middle.IndexOf('.');
        return dot > 0
            && long.TryParse(middle[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && long.TryParse(middle[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && index > 0;
    }
}
