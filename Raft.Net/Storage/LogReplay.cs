using Raft.Core.Log;

namespace Raft.Net.Storage;

/// <summary>
/// Reads the log file from the start and rebuilds the entries after the last compaction (1..n
/// without one), stopping at the first record that is torn (short header or payload), damaged
/// (impossible length, CRC mismatch) or out of sequence.
/// </summary>
/// <remarks>
/// Replay stops at the first bad record even when valid-looking records follow it (damage in the
/// middle of the file rather than a torn tail). Records after a hole cannot be trusted: applying
/// them would skip whatever the bad record said (an entry or a truncation), so the prefix before
/// it is the only state that is certainly one this node wrote.
/// </remarks>
internal static class LogReplay
{
    /// <summary>The rebuilt entries and the length of the valid prefix of the file.</summary>
    public static (ReplayedLog Log, long ValidBytes) Run(Stream log)
    {
        var entries = new ReplayedLog();
        var header = new byte[RecordFormat.HeaderBytes];
        long validBytes = 0;
        log.Position = 0;
        while (TryReadRecord(log, header, out var payload) && Apply(entries, payload))
            validBytes = log.Position;
        return (entries, validBytes);
    }

    private static bool TryReadRecord(Stream log, byte[] header, out byte[] payload)
    {
        payload = [];
        if (log.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            return false;
        var length = RecordFormat.PayloadLength(header);
        // Check against what is left before allocating: a garbage length must not cost 64 MiB.
        if (length < 0 || length > log.Length - log.Position)
            return false;
        payload = new byte[length];
        return log.ReadAtLeast(payload, length, throwOnEndOfStream: false) == length &&
               RecordFormat.ChecksumMatches(header, payload);
    }

    private static bool Apply(ReplayedLog log, byte[] payload)
    {
        if (!LogRecord.TryDecode(payload, out var record))
            return false;
        if (record.Entry is { } entry)
        {
            // Invariant: the file describes a log without gaps, each entry right after the last.
            if (entry.Index != log.LastIndex + 1)
                return false;
            log.Entries.Add(entry);
            return true;
        }
        if (record.Compacted is { } snapshot)
        {
            // The writer only compacts forward.
            if (snapshot.Index <= log.Base)
                return false;
            log.CompactTo(snapshot);
            return true;
        }
        // The writer only truncates entries that exist (never compacted ones).
        if (record.TruncateFrom > log.LastIndex || record.TruncateFrom <= log.Base)
            return false;
        log.TruncateFrom(record.TruncateFrom);
        return true;
    }
}
