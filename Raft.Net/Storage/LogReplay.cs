using Raft.Core.Log;

namespace Raft.Net.Storage;

/// <summary>
/// Reads the log file from the start and rebuilds the entries after the last compaction (1..n
/// without one), stopping at the first record that is torn (short header or payload), damaged
/// (impossible length, CRC mismatch) or out of sequence, and says why it stopped.
/// </summary>
/// <remarks>
/// A node only ever appends to its log file, so after a crash the file is what was written plus at
/// most one torn record at the end: that tail is safe to cut, since nothing in it was synced, and
/// so nothing in it was promised. Anything else is damage (a bad record with valid records after it,
/// or a whole record that does not follow its predecessor): the records after it cannot be trusted
/// and cutting them could lose entries the node acknowledged, so <see cref="FileStorage"/> refuses
/// to start rather than guess (<see cref="ReplayStop.IsTornTail"/>).
/// </remarks>
internal static class LogReplay
{
    /// <summary>The rebuilt entries, the length of the valid prefix of the file, and why replay stopped before the end (null: it read the whole file).</summary>
    public static (ReplayedLog Log, long ValidBytes, ReplayStop? Stop) Run(Stream log)
    {
        var entries = new ReplayedLog();
        var header = new byte[RecordFormat.HeaderBytes];
        long validBytes = 0;
        log.Position = 0;
        while (validBytes < log.Length)
        {
            var read = TryReadRecord(log, header, out var payload);
            if (read is not null)
                return (entries, validBytes, Classify(log, validBytes, read, header));
            var problem = Apply(entries, payload);
            if (problem is not null)
                return (entries, validBytes, new ReplayStop(validBytes, problem, IsTornTail: false, NextValidRecord: -1));
            validBytes = log.Position;
        }
        return (entries, validBytes, null);
    }

    /// <summary>Reads one record; null when it is whole and its CRC matches, otherwise what is wrong with it.</summary>
    private static string? TryReadRecord(Stream log, byte[] header, out byte[] payload)
    {
        payload = [];
        var got = log.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < header.Length)
            return $"a header cut short ({got} of {header.Length} bytes)";
        var length = RecordFormat.PayloadLength(header);
        if (length < 0)
            return "an impossible length field";
        // Check against what is left before allocating: a garbage length must not cost 64 MiB.
        if (length > log.Length - log.Position)
            return $"a payload cut short ({log.Length - log.Position} of {length} bytes)";
        payload = new byte[length];
        log.ReadExactly(payload);
        return RecordFormat.ChecksumMatches(header, payload) ? null : "a CRC mismatch";
    }

    /// <summary>A bad record at <paramref name="offset"/>: a torn tail when no valid record follows it, damage otherwise.</summary>
    private static ReplayStop Classify(Stream log, long offset, string problem, byte[] header)
    {
        // Where the bad record says it ends, if its length is plausible: a record found there is
        // the next one the writer appended. Otherwise search byte by byte. Starting past the bad
        // record's own payload also keeps a client's command that happens to contain a valid
        // frame from looking like a record.
        var length = RecordFormat.PayloadLength(header);
        var declaredEnd = length < 0 ? -1 : offset + RecordFormat.HeaderBytes + length;
        var next = declaredEnd > 0 && declaredEnd < log.Length && IsValidRecordAt(log, declaredEnd, header)
            ? declaredEnd
            : FindValidRecord(log, offset + 1);
        return new ReplayStop(offset, problem, IsTornTail: next < 0, next);
    }

    /// <summary>The offset of the first whole, CRC-valid, decodable record at or after <paramref name="from"/>, or -1.</summary>
    public static long FindValidRecord(Stream log, long from)
    {
        var header = new byte[RecordFormat.HeaderBytes]; // one buffer for the whole byte-by-byte search
        for (var at = from; at + RecordFormat.HeaderBytes < log.Length; at++)
            if (IsValidRecordAt(log, at, header))
                return at;
        return -1;
    }

    private static bool IsValidRecordAt(Stream log, long at, byte[] header)
    {
        log.Position = at;
        if (log.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            return false;
        var length = RecordFormat.PayloadLength(header);
        if (length < 0 || length > log.Length - log.Position)
            return false;
        var payload = new byte[length];
        log.ReadExactly(payload);
        return RecordFormat.ChecksumMatches(header, payload) && LogRecord.TryDecode(payload, out _);
    }

    /// <summary>Applies one record; null when it fits, otherwise why it cannot follow what came before.</summary>
    private static string? Apply(ReplayedLog log, byte[] payload)
    {
        if (!LogRecord.TryDecode(payload, out var record))
            return "a record whose CRC matches but whose content does not decode";
        if (record.Entry is { } entry)
        {
            // Invariant: the file describes a log without gaps, each entry right after the last.
            if (entry.Index != log.LastIndex + 1)
                return $"entry {entry.Index} where entry {log.LastIndex + 1} was due";
            log.Entries.Add(entry);
            return null;
        }
        if (record.Compacted is { } snapshot)
        {
            // The writer only compacts forward.
            if (snapshot.Index <= log.Base)
                return $"a compaction to {snapshot.Index}, not past the earlier one to {log.Base}";
            log.CompactTo(snapshot);
            return null;
        }
        // The writer only truncates entries that exist (never compacted ones).
        if (record.TruncateFrom > log.LastIndex || record.TruncateFrom <= log.Base)
            return $"a truncation from {record.TruncateFrom}, outside the entries {log.Base + 1}..{log.LastIndex}";
        log.TruncateFrom(record.TruncateFrom);
        return null;
    }
}

/// <summary>
/// Where and why a log replay stopped before the end of the file. <see cref="IsTornTail"/>: the bad
/// record is the last thing in the file (a crash during an append), safe to cut;
/// otherwise <see cref="NextValidRecord"/> is where a valid record follows it (-1 when the stop was
/// a whole record that does not fit), and the file is damaged.
/// </summary>
internal sealed record ReplayStop(long Offset, string Problem, bool IsTornTail, long NextValidRecord)
{
    public string Describe(string path, long fileBytes) => IsTornTail
        ? $"torn tail: the last {fileBytes - Offset} byte(s) of '{path}', from byte {Offset}, hold {Problem} and no valid record after it"
        : NextValidRecord >= 0
            ? $"'{path}' is damaged at byte {Offset}: {Problem}, yet a valid record follows at byte {NextValidRecord}"
            : $"'{path}' is damaged at byte {Offset}: {Problem}";
}
