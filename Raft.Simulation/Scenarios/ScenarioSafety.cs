using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Node;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// Watches a scenario for the five properties of Figure 3. Election Safety, Leader Append-Only,
/// Leader Completeness and State Machine Safety need history, so they are checked after every
/// step; Log Matching is checked over the current logs when a scenario asks.
/// </summary>
public sealed class ScenarioSafety
{
    private readonly SortedDictionary<long, NodeId> leaderOfTerm = [];
    private readonly SortedDictionary<long, LogEntry> committed = [];
    private readonly SortedDictionary<long, (NodeId Node, LogEntry Entry)> applied = [];
    private readonly List<string> violations = [];

    /// <summary>Violations seen so far, in the order they happened.</summary>
    public IReadOnlyList<string> Violations => violations;

    public void RecordApplied(NodeId node, LogEntry entry)
    {
        if (!applied.TryGetValue(entry.Index, out var first))
            applied[entry.Index] = (node, entry);
        else if (!first.Entry.Equals(entry))
            Report($"State Machine Safety: {node} applied {entry} at index {entry.Index}, but {first.Node} applied {first.Entry}");
    }

    /// <summary>Checks the history properties after <paramref name="node"/> took a step; <paramref name="leaderLogBefore"/> is its log before, if it led.</summary>
    public void AfterStep(IRaftNode node, Role roleBefore, long termBefore, (long LastIndex, ulong Digest, long[] Terms)? leaderLogBefore)
    {
        var becameLeader = node.Role == Role.Leader && (roleBefore != Role.Leader || termBefore != node.Term);
        if (becameLeader)
        {
            if (leaderOfTerm.TryGetValue(node.Term, out var other) && other != node.Id)
                Report($"Election Safety: {node.Id} and {other} both lead term {node.Term}");
            leaderOfTerm[node.Term] = node.Id;
            foreach (var (index, entry) in committed)
            {
                // Entries compacted into the new leader's snapshot are committed ones it had (§7).
                if (index < node.Log.SnapshotIndex) continue;
                if (index > node.Log.LastIndex || node.Log.TermAt(index) != entry.Term)
                    Report($"Leader Completeness: {node.Id} leads term {node.Term} without committed entry {index}@{entry.Term}");
            }
        }
        if (leaderLogBefore is { } before && node.Role == Role.Leader && node.Term == termBefore)
        {
            // The log's hash chain: the old last entry is still there with the same prefix (compaction keeps its digest).
            var log = node.Log;
            var kept = before.LastIndex <= log.LastIndex && (before.LastIndex < log.SnapshotIndex || log.DigestAt(before.LastIndex) == before.Digest);
            if (!kept)
                Report($"Leader Append-Only: leader {node.Id} of term {node.Term} changed its log from [{string.Join(' ', before.Terms)}] to [{string.Join(' ', ScenarioCluster.Terms(node))}]");
        }
        for (var index = Math.Max(1L, node.Log.FirstIndex); index <= node.CommitIndex && index <= node.Log.LastIndex; index++)
        {
            var entry = node.Log.EntryAt(index);
            if (!committed.TryGetValue(index, out var known)) committed[index] = entry;
            else if (!known.Equals(entry))
                Report($"State Machine Safety: {node.Id} has {entry} committed at index {index}, but {known} was committed there before");
        }
    }

    /// <summary>Every violation so far plus Log Matching over the given logs; empty when all five properties hold.</summary>
    public IReadOnlyList<string> Check(IEnumerable<IRaftNode> nodes)
    {
        var found = new List<string>(violations);
        var list = nodes.ToList();
        for (var a = 0; a < list.Count; a++)
        {
            for (var b = a + 1; b < list.Count; b++)
            {
                var x = list[a];
                var y = list[b];
                var last = Math.Min(x.Log.LastIndex, y.Log.LastIndex);
                var first = Math.Max(1, Math.Max(x.Log.SnapshotIndex, y.Log.SnapshotIndex)); // below it, one of them keeps no terms
                for (var index = last; index >= first; index--)
                {
                    if (x.Log.TermAt(index) != y.Log.TermAt(index)) continue;
                    if (x.Log.DigestAt(index) != y.Log.DigestAt(index))
                        found.Add($"Log Matching: {x.Id} and {y.Id} agree on the term at index {index} but not on the entries up to it");
                    break;
                }
            }
        }
        return found;
    }

    private void Report(string violation)
    {
        if (!violations.Contains(violation)) violations.Add(violation);
    }
}
