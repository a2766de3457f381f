using System.Buffers.Binary;
using System.IO.Hashing;

namespace Raft.Core.Log;

/// <summary>
/// A node's in-memory log, with a running hash chain: digest(i) = H(digest(i-1), index, term, kind, command).
/// The node mutates it only by appending and by truncating a conflicting suffix (followers only).
/// </summary>
public sealed class RaftLog : IReadOnlyRaftLog
{
    private readonly List<LogEntry> entries = [];
    private readonly List<ulong> digests = [];
    private readonly XxHash3 hasher = new();

    public long LastIndex => entries.Count;

    public long LastTerm => TermAt(LastIndex);

    public long TermAt(long index) => index == 0 ? 0 : EntryAt(index).Term;

    public LogEntry EntryAt(long index)
    {
        if (index < 1 || index > LastIndex)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"log holds [1, {LastIndex}]");
        return entries[(int)(index - 1)];
    }

    public ulong DigestAt(long index)
    {
        if (index < 0 || index > LastIndex)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"log holds [1, {LastIndex}]");
        return index == 0 ? 0 : digests[(int)(index - 1)];
    }

    /// <summary>True if the log has an entry at <paramref name="index"/> with <paramref name="term"/> (index 0 always matches).</summary>
    public bool Matches(long index, long term) => index == 0 || (index <= LastIndex && TermAt(index) == term);

    /// <summary>
    /// §5.4.1: a log is more up to date if its last term is higher, or the last terms are equal
    /// and it is at least as long. True if a candidate's log is at least as up to date as this one.
    /// </summary>
    public bool IsUpToDate(long candidateLastIndex, long candidateLastTerm) =>
        candidateLastTerm > LastTerm || (candidateLastTerm == LastTerm && candidateLastIndex >= LastIndex);

    /// <summary>First index holding <paramref name="index"/>'s term, walking back from it.</summary>
    public long FirstIndexOfTermAt(long index)
    {
        var term = TermAt(index);
        while (index > 1 && TermAt(index - 1) == term) index--;
        return index;
    }

    /// <summary>Last index whose term is <paramref name="term"/>, or 0 if the log has no such entry.</summary>
    public long LastIndexOfTerm(long term)
    {
        for (var i = LastIndex; i >= 1; i--)
        {
            var t = TermAt(i);
            if (t == term) return i;
            if (t < term) return 0; // terms never decrease along a log
        }
        return 0;
    }

    /// <summary>Entries [from, to], both inclusive.</summary>
    public IReadOnlyList<LogEntry> Slice(long from, long to)
    {
        if (from > to) return [];
        if (from < 1 || to > LastIndex) throw new ArgumentOutOfRangeException(nameof(from), $"[{from}, {to}] outside [1, {LastIndex}]");
        return entries.GetRange((int)(from - 1), (int)(to - from + 1)).ToArray();
    }

    public void Append(LogEntry entry)
    {
        if (entry.Index != LastIndex + 1)
            throw new InvalidOperationException($"append of index {entry.Index} to a log ending at {LastIndex}");
        if (entry.Term < LastTerm)
            throw new InvalidOperationException($"append of term {entry.Term} after term {LastTerm}: terms never decrease along a log");
        digests.Add(Chain(DigestAt(LastIndex), entry));
        entries.Add(entry);
    }

    /// <summary>Removes every entry at or after <paramref name="index"/>.</summary>
    public void TruncateFrom(long index)
    {
        if (index < 1 || index > LastIndex + 1)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"log holds [1, {LastIndex}]");
        var count = (int)(LastIndex - index + 1);
        entries.RemoveRange((int)(index - 1), count);
        digests.RemoveRange((int)(index - 1), count);
    }

    private ulong Chain(ulong previous, LogEntry entry)
    {
        Span<byte> header = stackalloc byte[25];
        BinaryPrimitives.WriteUInt64LittleEndian(header, previous);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], entry.Term);
        header[24] = (byte)entry.Kind;
        hasher.Reset();
        hasher.Append(header);
        hasher.Append(entry.Command);
        return hasher.GetCurrentHashAsUInt64();
    }
}
