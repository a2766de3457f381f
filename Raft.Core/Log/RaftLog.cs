using System.Buffers.Binary;
using System.IO.Hashing;
using Raft.Core.Membership;

namespace Raft.Core.Log;

/// <summary>
/// A node's in-memory log, with a running hash chain: digest(i) = H(digest(i-1), index, term, kind, command).
/// The node mutates it by appending, by truncating a conflicting suffix (followers only), and by
/// replacing a prefix with a snapshot (§7). After compaction the log holds entries
/// [<see cref="FirstIndex"/>, <see cref="LastIndex"/>]; the term and digest at
/// <see cref="SnapshotIndex"/> (= FirstIndex - 1) are still known, from the snapshot's metadata.
/// <para>
/// <see cref="Slice"/> copies nothing: a slice shares the array the entries are in. That is safe
/// because a slot of that array, once written, is never written again: appending fills slots past
/// the end (or moves to a larger array), and truncating or compacting moves the entries that stay
/// to a new array. So a message built from a slice keeps its entries whatever the log does next.
/// </para>
/// </summary>
public sealed class RaftLog : IReadOnlyRaftLog
{
    private LogEntry[] entries = new LogEntry[16];
    private int count; // entries[0, count) hold [FirstIndex, LastIndex]
    private readonly List<ulong> digests = [];
    private readonly List<(long Index, Configuration Configuration)> configurations = []; // the log's decodable configuration entries, in index order
    private readonly XxHash3 hasher = new();
    private LogSlice? lastSlice; // handed out again for the same entries: a leader sends one batch to several followers

    /// <summary>Where the compacted prefix ends; <see cref="SnapshotMetadata.None"/> before any compaction.</summary>
    public SnapshotMetadata Snapshot { get; private set; } = SnapshotMetadata.None;

    public long SnapshotIndex => Snapshot.LastIncludedIndex;

    public long FirstIndex => SnapshotIndex + 1;

    public long LastIndex => SnapshotIndex + count;

    public long LastTerm => TermAt(LastIndex);

    public long TermAt(long index)
    {
        if (index == SnapshotIndex) return Snapshot.LastIncludedTerm; // 0 for index 0 without a snapshot
        return EntryAt(index).Term;
    }

    public LogEntry EntryAt(long index)
    {
        if (index < FirstIndex && index >= 1)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"entry {index} was compacted into the snapshot up to {SnapshotIndex}");
        if (index < FirstIndex || index > LastIndex)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"log holds [{FirstIndex}, {LastIndex}]");
        return entries[Offset(index)];
    }

    public ulong DigestAt(long index)
    {
        if (index == SnapshotIndex) return Snapshot.Digest;
        if (index < SnapshotIndex)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"digest {index} was compacted into the snapshot up to {SnapshotIndex}");
        if (index > LastIndex)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"log holds [{FirstIndex}, {LastIndex}]");
        return digests[Offset(index)];
    }

    /// <summary>
    /// True if the log has an entry at <paramref name="index"/> with <paramref name="term"/> (index 0
    /// always matches). A compacted index also matches: only committed entries are compacted, and
    /// every later leader holds them (Leader Completeness, §5.4).
    /// </summary>
    public bool Matches(long index, long term) =>
        index < SnapshotIndex || (index <= LastIndex && TermAt(index) == term);

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
        while (index > Math.Max(1, SnapshotIndex) && TermAt(index - 1) == term) index--; // the snapshot point's term is known
        return index;
    }

    /// <summary>Last index whose term is <paramref name="term"/>, or 0 if the log has no such entry.</summary>
    public long LastIndexOfTerm(long term)
    {
        for (var i = LastIndex; i >= Math.Max(1, SnapshotIndex); i--)
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
        if (from < FirstIndex || to > LastIndex) throw new ArgumentOutOfRangeException(nameof(from), $"[{from}, {to}] outside [{FirstIndex}, {LastIndex}]");
        var (start, count) = (Offset(from), (int)(to - from + 1));
        if (lastSlice is not null && lastSlice.Views(entries, start, count)) return lastSlice; // same slots of the same array: the same entries, for good
        return lastSlice = new LogSlice(entries, start, count);
    }

    public void Append(LogEntry entry)
    {
        if (entry.Index != LastIndex + 1)
            throw new InvalidOperationException($"append of index {entry.Index} to a log ending at {LastIndex}");
        if (entry.Term < LastTerm)
            throw new InvalidOperationException($"append of term {entry.Term} after term {LastTerm}: terms never decrease along a log");
        digests.Add(Chain(DigestAt(LastIndex), entry));
        if (count == entries.Length) entries = Keep(0, count, entries.Length * 2);
        entries[count++] = entry;
        if (entry.Kind == EntryKind.Configuration && Configuration.TryDecode(entry.Command, out var configuration))
            configurations.Add((entry.Index, configuration));
    }

    /// <summary>
    /// The latest configuration entry at or below <paramref name="index"/>, with its index; else the
    /// snapshot's configuration (index = SnapshotIndex) when there is a snapshot; else null.
    /// </summary>
    public (Configuration Configuration, long Index)? ConfigurationAsOf(long index)
    {
        for (var i = configurations.Count - 1; i >= 0; i--)
            if (configurations[i].Index <= index) return (configurations[i].Configuration, configurations[i].Index);
        return SnapshotIndex > 0 ? (Snapshot.Configuration, SnapshotIndex) : null;
    }

    /// <summary>Removes every entry at or after <paramref name="index"/>.</summary>
    public void TruncateFrom(long index)
    {
        // Only uncompacted entries can be truncated: compacted ones are committed (§7).
        if (index < FirstIndex || index > LastIndex + 1)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"log holds [{FirstIndex}, {LastIndex}]");
        var kept = Offset(index);
        entries = Keep(0, kept, Math.Max(16, kept * 2));
        digests.RemoveRange(kept, count - kept);
        configurations.RemoveAll(c => c.Index >= index);
        count = kept;
    }

    /// <summary>
    /// §7: discards entries [FirstIndex, <paramref name="index"/>], keeping the term and digest at
    /// <paramref name="index"/> and the <paramref name="configuration"/> in force there as snapshot
    /// metadata, which it returns. The caller must only compact entries the state machine has applied.
    /// </summary>
    public SnapshotMetadata CompactTo(long index, Configuration configuration)
    {
        if (index <= SnapshotIndex || index > LastIndex)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"can compact only within [{FirstIndex}, {LastIndex}]");
        var metadata = new SnapshotMetadata(index, TermAt(index), DigestAt(index), configuration);
        var discarded = (int)(index - SnapshotIndex);
        entries = Keep(discarded, count - discarded, Math.Max(16, (count - discarded) * 2));
        digests.RemoveRange(0, discarded);
        configurations.RemoveAll(c => c.Index <= index);
        count -= discarded;
        Snapshot = metadata;
        return metadata;
    }

    /// <summary>
    /// Figure 13, steps 6-7: replaces the log with a snapshot received from the leader. If the log
    /// has the snapshot's last entry (same index and term), the entries after it are kept, since
    /// they may be newer than the snapshot; otherwise the whole log is discarded.
    /// Returns whether the suffix was kept.
    /// </summary>
    public bool InstallSnapshot(SnapshotMetadata snapshot)
    {
        if (snapshot.LastIncludedIndex <= SnapshotIndex)
            throw new ArgumentOutOfRangeException(nameof(snapshot), snapshot, $"not newer than the snapshot up to {SnapshotIndex}");
        var keepSuffix = snapshot.LastIncludedIndex <= LastIndex && TermAt(snapshot.LastIncludedIndex) == snapshot.LastIncludedTerm;
        if (keepSuffix)
        {
            CompactTo(snapshot.LastIncludedIndex, snapshot.Configuration);
            return true;
        }
        entries = new LogEntry[16];
        count = 0;
        digests.Clear();
        configurations.Clear();
        Snapshot = snapshot;
        return false;
    }

    private int Offset(long index) => (int)(index - FirstIndex);

    /// <summary>A new array of <paramref name="capacity"/> slots holding entries [start, start + length) of the current one.</summary>
    private LogEntry[] Keep(int start, int length, int capacity)
    {
        var kept = new LogEntry[capacity];
        Array.Copy(entries, start, kept, 0, length);
        return kept;
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
