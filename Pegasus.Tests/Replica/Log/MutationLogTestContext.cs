using Microsoft.Extensions.Time.Testing;
using Pegasus.Replica.Diagnostics;
using Pegasus.Replica.Replication.Log;

namespace Pegasus.Tests.Replica.Log;

/// <summary>
/// A mutation log in a temporary directory the test owns, a fake clock for the fsync timer, and
/// helpers to build entries and damage files. Disposing it closes the log and deletes the directory.
/// </summary>
internal sealed class MutationLogTestContext : IDisposable
{
    public const int PayloadBytes = 150;

    /// <summary>The on-disk size of one record with a <see cref="PayloadBytes"/> payload.</summary>
    public const int RecordBytes = LogFormat.RecordOverheadBytes + PayloadBytes;

    private readonly TimeProvider _timeProvider;

    public MutationLogTestContext(Action<MutationLogOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        configure?.Invoke(Options);
        _timeProvider = timeProvider ?? Time;
        Log = Open();
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "pegasus-plog-tests", Guid.NewGuid().ToString("N"));

    public FakeTimeProvider Time { get; } = new();

    public MutationLogOptions Options { get; } = new();

    public CapturingLogger Logger { get; } = new();

    public MutationLog Log { get; private set; }

    /// <summary>An entry whose payload is a pattern of its ballot and decree, so a read can be checked.</summary>
    public static LogEntry Entry(long ballot, long decree, int payloadBytes = PayloadBytes)
    {
        var payload = new byte[payloadBytes];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = PatternByte(ballot, decree, i);
        }

        return new LogEntry(ballot, decree, payload);
    }

    public static LogEntry[] Batch(long ballot, long firstDecree, int count, int payloadBytes = PayloadBytes)
        => [.. Enumerable.Range(0, count).Select(i => Entry(ballot, firstDecree + i, payloadBytes))];

    /// <summary>Whether the entry carries the payload <see cref="Entry"/> made for its ballot and decree.</summary>
    public static bool HasPattern(LogEntry entry, int payloadBytes = PayloadBytes)
    {
        var payload = entry.Payload.Span;
        if (payload.Length != payloadBytes)
        {
            return false;
        }

        for (var i = 0; i < payload.Length; i++)
        {
            if (payload[i] != PatternByte(entry.Ballot, entry.Decree, i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks that the log holds exactly decrees first..last with the given ballots and intact payloads.</summary>
    public static void AssertEntries(MutationLog log, long first, long last, Func<long, long> ballotOf)
    {
        Assert.Equal(first, log.FirstDecree);
        Assert.Equal(last, log.LastDecree);
        Assert.Equal((int)(last - first + 1), log.Count);
        Assert.Equal(ballotOf(last), log.LastBallot);
        var entries = log.ReadFrom(0);
        Assert.Equal(log.Count, entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.Equal(first + i, entries[i].Decree);
            Assert.Equal(ballotOf(first + i), entries[i].Ballot);
            Assert.True(HasPattern(entries[i]), $"payload of decree {entries[i].Decree} is damaged");
        }
    }

    public MutationLog Open() => MutationLog.Open(Directory, Options, _timeProvider, Logger);

    /// <summary>Closes and reopens the log on the same directory, as a restart does.</summary>
    public void Reopen()
    {
        Log.Dispose();
        Log = Open();
    }

    /// <summary>Appends batches of <paramref name="batchSize"/> until <paramref name="lastDecree"/>.</summary>
    public void AppendThrough(long lastDecree, long ballot = 1, int batchSize = 2)
    {
        for (var decree = Log.LastDecree + 1; decree <= lastDecree; decree += batchSize)
        {
            Log.Append(Batch(ballot, decree, (int)Math.Min(batchSize, lastDecree - decree + 1)));
        }
    }

    /// <summary>The segment files, oldest first.</summary>
    public string[] SegmentFiles()
        => [.. System.IO.Directory.GetFiles(Directory, "log.*.plog")
            .OrderBy(path => long.Parse(Path.GetFileName(path).Split('.')[1], System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The offset of the record at <paramref name="position"/> (from 0) in a segment of <see cref="PayloadBytes"/> records.</summary>
    public static long RecordOffset(int position) => LogFormat.SegmentHeaderBytes + ((long)position * RecordBytes);

    public static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x5A));
    }

    /// <summary>The warnings the log wrote about cutting its tail.</summary>
    public IReadOnlyList<CapturedLog> Cuts()
        => [.. Logger.Entries.Where(entry => entry.EventId.Id == (int)ReplicaEventId.MutationLogCut)];

    public IReadOnlyList<CapturedLog> DroppedSegments()
        => [.. Logger.Entries.Where(entry => entry.EventId.Id == (int)ReplicaEventId.MutationLogSegmentDropped)];

    public void Dispose()
    {
        Log.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory must not fail the test that already passed or failed.
        }
    }

    private static byte PatternByte(long ballot, long decree, int i) => (byte)((decree * 31) + (ballot * 7) + i);
}
