using System.Buffers.Binary;
using Raft.Core.Log;

namespace Raft.Net.Storage;

/// <summary>
/// The payloads of the log file. An entry record appends one entry; a truncation record says
/// "entries at or after <see cref="TruncateFrom"/> are discarded", so a conflicting suffix is
/// overwritten by appending, never by rewriting the file in place; a compaction record says "the
/// log now starts after the snapshot ending at <see cref="Compacted"/>" (§7).
/// </summary>
internal readonly record struct LogRecord(LogEntry? Entry, long TruncateFrom, SnapshotPoint? Compacted = null)
{
    public const byte EntryTag = 1;
    public const byte TruncationTag = 2;
    public const byte CompactionTag = 4;

    // tag u8 | last included index i64 | last included term i64
    private const int CompactionBytes = 1 + 8 + 8;

    // tag u8 | index i64 | term i64 | kind u8 | command bytes...
    private const int EntryFixedBytes = 1 + 8 + 8 + 1;

    // tag u8 | index i64
    private const int TruncationBytes = 1 + 8;

    /// <summary>Size on disk of a framed compaction marker.</summary>
    public const int CompactionRecordBytes = RecordFormat.HeaderBytes + CompactionBytes;

    /// <summary>Size on disk of the framed record <see cref="EncodeEntry"/> writes for <paramref name="entry"/>.</summary>
    public static int EntryRecordBytes(LogEntry entry) => RecordFormat.HeaderBytes + EntryFixedBytes + entry.Command.Length;

    public static byte[] EncodeEntry(LogEntry entry)
    {
        var payload = new byte[EntryFixedBytes + entry.Command.Length];
        payload[0] = EntryTag;
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(1), entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(9), entry.Term);
        payload[17] = (byte)entry.Kind;
        entry.Command.CopyTo(payload.AsSpan(EntryFixedBytes));
        return RecordFormat.Frame(payload);
    }

    public static byte[] EncodeTruncation(long firstDiscardedIndex)
    {
        var payload = new byte[TruncationBytes];
        payload[0] = TruncationTag;
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(1), firstDiscardedIndex);
        return RecordFormat.Frame(payload);
    }

    public static byte[] EncodeCompaction(SnapshotPoint snapshot)
    {
        var payload = new byte[CompactionBytes];
        payload[0] = CompactionTag;
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(1), snapshot.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(9), snapshot.Term);
        return RecordFormat.Frame(payload);
    }

    /// <summary>
    /// Decodes a payload whose CRC already matched. False when it still makes no sense (unknown tag,
    /// wrong size, impossible numbers): only a bug or a CRC collision gets here, and replay stops.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out LogRecord record)
    {
        record = default;
        switch (payload[0])
        {
            case EntryTag when payload.Length >= EntryFixedBytes:
                var index = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
                var term = BinaryPrimitives.ReadInt64LittleEndian(payload[9..]);
                var kind = (EntryKind)payload[17];
                if (index < 1 || term < 0 || !Enum.IsDefined(kind))
                    return false;
                record = new LogRecord(new LogEntry(index, term, kind, payload[EntryFixedBytes..].ToArray()), 0);
                return true;
            case TruncationTag when payload.Length == TruncationBytes:
                var from = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
                if (from < 1)
                    return false;
                record = new LogRecord(null, from);
                return true;
            case CompactionTag when payload.Length == CompactionBytes:
                var point = new SnapshotPoint(BinaryPrimitives.ReadInt64LittleEndian(payload[1..]), BinaryPrimitives.ReadInt64LittleEndian(payload[9..]));
                if (point.Index < 1 || point.Term < 1)
                    return false;
                record = new LogRecord(null, 0, point);
                return true;
            default:
                return false;
        }
    }
}
