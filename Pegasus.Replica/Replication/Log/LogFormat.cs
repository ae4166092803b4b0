using System.Buffers.Binary;

namespace Pegasus.Replica.Replication.Log;

/// <summary>A segment file's header, as <see cref="LogFormat"/> lays it out.</summary>
/// <param name="Index">The segment's place in the log, counting from 1; also in the file name.</param>
/// <param name="BaseDecree">
/// The log's last decree when the segment was created. For a reset segment it is the checkpoint
/// decree the log restarts after, so replay knows the last decree even with no record.
/// </param>
/// <param name="IsReset">Whether the segment discards everything before it (see <see cref="MutationLog.Reset"/>).</param>
internal readonly record struct SegmentHeader(long Index, long BaseDecree, bool IsReset);

/// <summary>The mutation log's on-disk format.</summary>
/// <remarks>
/// <para>
/// A log is a directory of segment files named <c>log.{index}.{firstDecree}.plog</c>. The index
/// counts segments up from 1 and is what orders them (as in Pegasus's <c>log.{index}.{offset}</c>);
/// firstDecree is the decree of the first record written to the segment (base + 1 for a reset
/// segment) and is there for people and tools. Decrees cannot order segments: a new primary can
/// supersede decrees of an older segment right after a roll, so a later segment may start lower.
/// </para>
/// <para>
/// Segment header, <see cref="SegmentHeaderBytes"/> bytes, integers little-endian:
/// <code>
///  0  4  magic "PLOG"
///  4  2  format version (1)
///  6  2  flags: 1 = reset segment
///  8  8  segment index (the same as in the name)
/// 16  8  base decree (see SegmentHeader.BaseDecree)
/// 24  4  reserved, zero
/// 28  4  CRC-32C of bytes 0..28
/// </code>
/// Records follow back to back; each is
/// <code>
///  0  4  CRC-32C of bytes 4..(8 + L): the length field and the body
///  4  4  body length L, at least 16
///  8  8  ballot
/// 16  8  decree
/// 24  L-16  payload
/// </code>
/// The checksum covers the length too, so a damaged length is caught like damaged data rather
/// than sending the reader to a wrong offset that happens to parse.
/// </para>
/// </remarks>
internal static class LogFormat
{
    public const int SegmentHeaderBytes = 32;
    public const int RecordHeaderBytes = 8;
    public const int RecordBodyFixedBytes = 16;

    /// <summary>Header and fixed body fields: a record's size beyond its payload.</summary>
    public const int RecordOverheadBytes = RecordHeaderBytes + RecordBodyFixedBytes;

    /// <summary>
    /// The largest body a record may have. Far above any write the replica accepts; it bounds what
    /// replay will trust from a length field before the checksum has been checked.
    /// </summary>
    public const int MaxRecordBodyBytes = 1 << 30;

    public const ushort FormatVersion = 1;

    private const uint Magic = 0x474F4C50; // "PLOG" read as a little-endian uint
    private const ushort ResetFlag = 1;

    public static void WriteSegmentHeader(Span<byte> destination, SegmentHeader header)
    {
        var span = destination[..SegmentHeaderBytes];
        span.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], header.IsReset ? ResetFlag : (ushort)0);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], header.Index);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], header.BaseDecree);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], Crc32C.Compute(span[..28]));
    }

    /// <summary>Reads a segment header, or says what is wrong with it.</summary>
    /// <exception cref="InvalidDataException">
    /// The header is intact but of a newer format version: replay must not cut (delete) a log it
    /// cannot read, so this is an error rather than corruption.
    /// </exception>
    public static bool TryReadSegmentHeader(ReadOnlySpan<byte> source, out SegmentHeader header, out string problem)
    {
        header = default;
        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic)
        {
            problem = "the segment header has no PLOG magic";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[28..]) != Crc32C.Compute(source[..28]))
        {
            problem = "the segment header checksum does not match";
            return false;
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(source[4..]);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"The mutation log segment has format version {version}; this build reads version {FormatVersion}.");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        header = new SegmentHeader(
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            (flags & ResetFlag) != 0);
        problem = "";
        return true;
    }

    public static int RecordBytes(int payloadLength) => RecordOverheadBytes + payloadLength;

    /// <summary>Encodes one record at the start of <paramref name="destination"/>; returns its size.</summary>
    public static int WriteRecord(Span<byte> destination, in LogEntry entry)
    {
        var payload = entry.Payload.Span;
        var bodyLength = RecordBodyFixedBytes + payload.Length;
        var record = destination[..(RecordHeaderBytes + bodyLength)];
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], bodyLength);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], entry.Ballot);
        BinaryPrimitives.WriteInt64LittleEndian(record[16..], entry.Decree);
        payload.CopyTo(record[RecordOverheadBytes..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record, Crc32C.Compute(record[4..]));
        return record.Length;
    }

    /// <summary>The body length a record header claims; not yet trustworthy.</summary>
    public static int ReadBodyLength(ReadOnlySpan<byte> recordHeader) => BinaryPrimitives.ReadInt32LittleEndian(recordHeader[4..]);

    /// <summary>Whether a whole record (header and body, contiguous) matches its checksum.</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> record)
        => BinaryPrimitives.ReadUInt32LittleEndian(record) == Crc32C.Compute(record[4..]);

    public static long ReadBallot(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[8..]);

    public static long ReadDecree(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[16..]);

    public static ReadOnlySpan<byte> ReadPayload(ReadOnlySpan<byte> record) => record[RecordOverheadBytes..];
}
