using Pegasus.Replica.Replication.Log;
using static Pegasus.Tests.Replica.Log.MutationLogTestContext;

namespace Pegasus.Tests.Replica.Log;

/// <summary>Open on damaged files: what is cut, what survives, and what the warning says.</summary>
public sealed class MutationLogRecoveryTests
{
    [Fact]
    public void Open_TornTail_CutsToTheLastWholeRecord()
    {
        using var context = new MutationLogTestContext();
        context.AppendThrough(15, batchSize: 5);
        context.Log.Dispose();
        var file = Assert.Single(context.SegmentFiles());
        using (var stream = new FileStream(file, FileMode.Open))
        {
            // A crash part way through writing decree 15.
            stream.SetLength(RecordOffset(15) - 50);
        }

        context.Reopen();
        AssertEntries(context.Log, 1, 14, _ => 1);
        AssertCut(context, file, RecordOffset(14), RecordBytes - 50);

        // The cut is for good: appending continues from decree 15 and a reopen sees no damage.
        context.Log.Append(Batch(1, 15, 1));
        context.Reopen();
        AssertEntries(context.Log, 1, 15, _ => 1);
        Assert.Single(context.Cuts());
    }

    [Fact]
    public void Open_TornRecordHeader_CutsIt()
    {
        using var context = new MutationLogTestContext();
        context.AppendThrough(4);
        context.Log.Dispose();
        var file = Assert.Single(context.SegmentFiles());
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(RecordOffset(3) + 5);
        }

        context.Reopen();
        AssertEntries(context.Log, 1, 3, _ => 1);
        AssertCut(context, file, RecordOffset(3), 5);
    }

    [Fact]
    public void Open_FlippedByteInLastPayload_CutsTheLastRecord()
    {
        using var context = new MutationLogTestContext();
        context.AppendThrough(15, batchSize: 5);
        context.Log.Dispose();
        var file = Assert.Single(context.SegmentFiles());
        FlipByte(file, new FileInfo(file).Length - 1);

        context.Reopen();
        AssertEntries(context.Log, 1, 14, _ => 1);
        var cut = AssertCut(context, file, RecordOffset(14), RecordBytes);
        Assert.Contains("checksum", cut.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GarbageAfterRecords_CutsTheGarbage()
    {
        using var context = new MutationLogTestContext();
        context.AppendThrough(15, batchSize: 5);
        context.Log.Dispose();
        var file = Assert.Single(context.SegmentFiles());
        var garbage = new byte[300];
        new Random(7).NextBytes(garbage);
        using (var stream = new FileStream(file, FileMode.Append))
        {
            stream.Write(garbage);
        }

        context.Reopen();
        AssertEntries(context.Log, 1, 15, _ => 1);
        AssertCut(context, file, RecordOffset(15), garbage.Length);
    }

    [Fact]
    public void Open_ZeroedTail_CutsIt()
    {
        using var context = new MutationLogTestContext();
        context.AppendThrough(6);
        context.Log.Dispose();
        var file = Assert.Single(context.SegmentFiles());
        using (var stream = new FileStream(file, FileMode.Open))
        {
            // Some file systems leave zeros where an extending write did not reach the disk.
            stream.SetLength(stream.Length + 4096);
        }

        context.Reopen();
        AssertEntries(context.Log, 1, 6, _ => 1);
        AssertCut(context, file, RecordOffset(6), 4096);
    }

    [Fact]
    public void Open_CorruptionInsideNonLastSegment_CutsThereAndDeletesLaterSegments()
    {
        using var context = new MutationLogTestContext(options => options.SegmentBytes = 1000);
        context.AppendThrough(24);
        context.Log.Dispose();
        var files = context.SegmentFiles();
        Assert.Equal(4, files.Length);

        // Decree 10 is the fourth record of segment 2 (7..12); good records follow it there and
        // in segments 3 and 4, but the log ends where it can no longer be trusted.
        FlipByte(files[1], RecordOffset(3) + LogFormat.RecordOverheadBytes + 20);

        context.Reopen();
        AssertEntries(context.Log, 1, 9, _ => 1);
        Assert.Equal(files[..2], context.SegmentFiles());
        Assert.Equal(RecordOffset(3), new FileInfo(files[1]).Length);
        AssertCut(context, files[1], RecordOffset(3), 3 * RecordBytes);
        Assert.Equal(
            [Path.GetFileName(files[3]), Path.GetFileName(files[2])],
            context.DroppedSegments().Select(entry => entry.Values["File"]));

        context.Log.Append(Batch(2, 10, 2));
        context.Reopen();
        AssertEntries(context.Log, 1, 11, d => d < 10 ? 1 : 2);
        Assert.Single(context.Cuts());
    }

    [Fact]
    public void Open_MissingMiddleSegment_EndsTheLogBeforeTheGap()
    {
        using var context = new MutationLogTestContext(options => options.SegmentBytes = 1000);
        context.AppendThrough(18);
        context.Log.Dispose();
        var files = context.SegmentFiles();
        File.Delete(files[1]);

        context.Reopen();
        AssertEntries(context.Log, 1, 6, _ => 1);
        Assert.Equal([files[0]], context.SegmentFiles());
        AssertCut(context, files[2], 0, RecordOffset(6));
    }

    [Fact]
    public void Open_TornSegmentHeader_DeletesTheSegment()
    {
        using var context = new MutationLogTestContext(options => options.SegmentBytes = 1000);
        context.AppendThrough(12);
        context.Log.Dispose();
        var files = context.SegmentFiles();
        using (var stream = new FileStream(files[1], FileMode.Open))
        {
            // A crash right after a roll created the file.
            stream.SetLength(10);
        }

        context.Reopen();
        AssertEntries(context.Log, 1, 6, _ => 1);
        AssertCut(context, files[1], 0, 10);
        context.AppendThrough(14);
        context.Reopen();
        AssertEntries(context.Log, 1, 14, _ => 1);
    }

    [Fact]
    public void Open_EmptyDirectoryOrForeignFiles_StartsEmpty()
    {
        using var context = new MutationLogTestContext();
        context.Log.Dispose();
        File.WriteAllText(Path.Combine(context.Directory, "log.notes.txt"), "not a segment");

        context.Reopen();
        Assert.Equal((0, 0, 0), (context.Log.FirstDecree, context.Log.LastDecree, context.Log.Count));
        Assert.Empty(context.Cuts());
    }

    private static CapturedLog AssertCut(MutationLogTestContext context, string file, long offset, long bytes)
    {
        var cut = Assert.Single(context.Cuts());
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, cut.Level);
        Assert.Equal(Path.GetFileName(file), cut.Values["File"]);
        Assert.Equal(offset, cut.Values["Offset"]);
        Assert.Equal(bytes, cut.Values["Bytes"]);
        return cut;
    }
}
