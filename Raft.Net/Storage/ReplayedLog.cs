using Raft.Core.Log;

namespace Raft.Net.Storage;

/// <summary>
/// The log as replay rebuilds it: entries <c>Base + 1 .. Base + Entries.Count</c>, where
/// <see cref="Base"/> is the last index of the snapshot the log was compacted to (0 without one).
/// </summary>
internal sealed class ReplayedLog
{
    public long Base { get; private set; }

    public long BaseTerm { get; private set; }

    public List<LogEntry> Entries { get; } = [];

    public long LastIndex => Base + Entries.Count;

    /// <summary>
    /// Figure 13, steps 6-7: entries up to the snapshot go; those after it stay only if the log
    /// holds the snapshot's last entry (or already starts right after it).
    /// </summary>
    public void CompactTo(SnapshotPoint snapshot)
    {
        var keep = snapshot.Index == Base && snapshot.Term == BaseTerm ||
                   snapshot.Index > Base && snapshot.Index <= LastIndex && Entries[(int)(snapshot.Index - Base - 1)].Term == snapshot.Term;
        if (keep) Entries.RemoveRange(0, (int)(snapshot.Index - Base));
        else Entries.Clear();
        Base = snapshot.Index;
        BaseTerm = snapshot.Term;
    }

    /// <summary>Removes entries at or after <paramref name="index"/>.</summary>
    public void TruncateFrom(long index) => Entries.RemoveRange((int)(index - Base - 1), (int)(LastIndex - index + 1));
}
