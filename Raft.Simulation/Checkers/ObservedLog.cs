using Raft.Core.Log;

namespace Raft.Simulation.Checkers;

/// <summary>
/// The safety checker's own account of one node's log, rebuilt from what the node wrote
/// (PersistEntries, PersistSnapshot) and chained with the checker's own <see cref="PrefixDigest"/>.
/// It keeps each entry's term and prefix digest, not the entry. After a snapshot it knows
/// [<see cref="SnapshotIndex"/>, <see cref="LastIndex"/>], the digest at SnapshotIndex being that
/// of the committed prefix, as the checker computed it when the prefix was committed.
/// Invariant: terms.Count == digests.Count == LastIndex - SnapshotIndex.
/// </summary>
internal sealed class ObservedLog
{
    private readonly List<long> terms = [];
    private readonly List<ulong> digests = [];
    private ulong snapshotDigest;

    public long SnapshotIndex { get; private set; }

    public long SnapshotTerm { get; private set; }

    public long LastIndex => SnapshotIndex + terms.Count;

    public long LastTerm => terms.Count == 0 ? SnapshotTerm : terms[^1];

    /// <summary>Whether the term and digest at <paramref name="index"/> are known: SnapshotIndex to LastIndex.</summary>
    public bool Knows(long index) => index >= SnapshotIndex && index <= LastIndex;

    /// <summary>Term at <paramref name="index"/>; only where <see cref="Knows"/>.</summary>
    public long TermAt(long index) => index == SnapshotIndex ? SnapshotTerm : terms[Offset(index)];

    /// <summary>The checker's digest of the prefix [1, index]; only where <see cref="Knows"/>.</summary>
    public ulong DigestAt(long index) => index == SnapshotIndex ? snapshotDigest : digests[Offset(index)];

    /// <summary>
    /// Whether this log holds the prefix [1, <paramref name="index"/>] whose digest is
    /// <paramref name="digest"/>. A compacted index counts as held: a snapshot is taken in only
    /// once the checker has found it to be the committed prefix.
    /// </summary>
    public bool HasPrefix(long index, ulong digest) =>
        index <= SnapshotIndex || (index <= LastIndex && DigestAt(index) == digest);

    /// <summary>
    /// A PersistEntries effect: every entry at or after <paramref name="firstIndex"/> goes, then
    /// <paramref name="entries"/> follow. Returns why the write cannot be part of a log (it leaves
    /// a gap, reaches into the snapshot, or holds an entry out of place), changing nothing; null once written.
    /// </summary>
    public string? Write(long firstIndex, IReadOnlyList<LogEntry> entries)
    {
        if (firstIndex <= SnapshotIndex)
            return $"wrote entries from {firstIndex}, inside its snapshot up to {SnapshotIndex}";
        if (firstIndex > LastIndex + 1)
            return $"wrote entries from {firstIndex}, after a log that ends at {LastIndex}: a gap";
        for (var k = 0; k < entries.Count; k++)
        {
            if (entries[k].Index != firstIndex + k)
                return $"wrote entry {entries[k]} at index {firstIndex + k}";
        }
        var keep = (int)(firstIndex - 1 - SnapshotIndex);
        terms.RemoveRange(keep, terms.Count - keep);
        digests.RemoveRange(keep, digests.Count - keep);
        terms.EnsureCapacity(keep + entries.Count); // a restart writes the whole log at once: grow once, not by doubling
        digests.EnsureCapacity(keep + entries.Count);
        for (var i = 0; i < entries.Count; i++) // an index, not foreach: no enumerator on the hot path
        {
            var entry = entries[i];
            digests.Add(PrefixDigest.Next(DigestAt(LastIndex), entry));
            terms.Add(entry.Term);
        }
        return null;
    }

    /// <summary>
    /// A PersistSnapshot effect (§7, Figure 13 steps 6-7): the prefix up to <paramref name="index"/>
    /// becomes a snapshot whose prefix digest is <paramref name="digest"/>. The entries after it stay
    /// if this log holds <paramref name="index"/> with <paramref name="term"/>; otherwise all go.
    /// A snapshot not newer than the one held changes nothing.
    /// </summary>
    public void TakeSnapshot(long index, long term, ulong digest)
    {
        if (index <= SnapshotIndex) return;
        var drop = index <= LastIndex && TermAt(index) == term ? (int)(index - SnapshotIndex) : terms.Count;
        terms.RemoveRange(0, drop);
        digests.RemoveRange(0, drop);
        SnapshotIndex = index;
        SnapshotTerm = term;
        snapshotDigest = digest;
    }

    public override string ToString() => Shape(SnapshotIndex, LastIndex, LastTerm);

    /// <summary>A log's extent in one phrase: <c>[1..7] ending in term 3</c>, or <c>[snapshot to 4..7] ending in term 3</c>.</summary>
    public static string Shape(long snapshotIndex, long lastIndex, long lastTerm) =>
        $"[{(snapshotIndex == 0 ? "1" : $"snapshot to {snapshotIndex}")}..{lastIndex}] ending in term {lastTerm}";

    private int Offset(long index) => (int)(index - SnapshotIndex - 1);
}
