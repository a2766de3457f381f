using System.Collections;

namespace Raft.Core.Log;

/// <summary>
/// Consecutive entries of a <see cref="RaftLog"/>, read in place from the log's array without a
/// copy. The log never writes a slot of that array twice, so the slice never changes.
/// </summary>
public sealed class LogSlice : IReadOnlyList<LogEntry>
{
    private readonly LogEntry[] entries;
    private readonly int start;

    internal LogSlice(LogEntry[] entries, int start, int count)
    {
        this.entries = entries;
        this.start = start;
        Count = count;
    }

    public int Count { get; }

    /// <summary>Whether this slice reads exactly these slots of this array.</summary>
    internal bool Views(LogEntry[] array, int from, int length) => ReferenceEquals(entries, array) && start == from && Count == length;

    public LogEntry this[int index] =>
        (uint)index < (uint)Count ? entries[start + index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"slice holds {Count} entries");

    public IEnumerator<LogEntry> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return entries[start + i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
