using System.Globalization;
using Raft.Core;
using Raft.Core.Log;
using Raft.Core.StateMachine;
using Raft.Net.StateMachine;

namespace Raft.Net.Cluster;

/// <summary>
/// After a run with <c>--store sqlite</c>, nodes killed with SIGKILL at random moments included:
/// each node's database must hold the committed log up to its last applied index, every entry
/// applied exactly once, and nothing beyond what is committed. The reference is a
/// <see cref="KvStateMachine"/> fed the committed entries 1..LastApplied (as the replay found them);
/// values and sessions are compared through <see cref="SqliteKvStore.ToKvSnapshot"/>.
/// </summary>
public static class StoreCheck
{
    /// <summary>One line per node: its last applied index and whether it matches; <paramref name="mismatches"/> counts those that do not.</summary>
    public static IReadOnlyList<string> Check(IEnumerable<(NodeId Node, string Directory)> nodes, IReadOnlyDictionary<long, LogEntry> committed, out int mismatches)
    {
        var stores = new List<(NodeId Node, long Applied, byte[] State)>();
        foreach (var (node, directory) in nodes)
        {
            if (!File.Exists(Path.Combine(directory, SqliteKvStore.FileName))) continue;
            using var store = SqliteKvStore.Open(directory);
            stores.Add((node, store.LastApplied, store.ToKvSnapshot()));
        }
        var lines = new List<string>();
        mismatches = 0;
        var reference = new KvStateMachine();
        var referenceIndex = 0L;
        foreach (var (node, applied, state) in stores.OrderBy(s => s.Applied))
        {
            for (; referenceIndex < applied && committed.TryGetValue(referenceIndex + 1, out var entry); referenceIndex++) reference.Apply(entry);
            var line = referenceIndex < applied
                ? $"{node}: applied {applied}, but entry {referenceIndex + 1} is not known committed: the database is AHEAD of the log"
                : state.AsSpan().SequenceEqual(reference.Snapshot())
                    ? $"{node}: applied {applied}, equal to the committed log"
                    : $"{node}: applied {applied}, DIFFERS from the committed log applied once";
            if (!line.EndsWith("equal to the committed log", StringComparison.Ordinal)) mismatches++;
            lines.Add(line);
        }
        return lines;
    }
}
