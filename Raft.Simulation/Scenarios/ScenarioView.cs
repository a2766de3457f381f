using Raft.Core;

namespace Raft.Simulation.Scenarios;

/// <summary>The per-node table and the compact log drawing that scenarios print.</summary>
public static class ScenarioView
{
    /// <summary>Logs longer than this are drawn as runs (<c>1x30</c>) instead of one number per entry.</summary>
    private const int LongLog = 16;

    private static readonly string[] Header = ["node", "role", "term", "vote", "commit", "applied", "log (| = commit point)"];

    /// <summary>
    /// One row per node: role, term, vote, commit, applied and the log with <c>|</c> after the
    /// commit point (<c>[..I@T]</c> for a snapshot up to I). Once the membership can change (spares,
    /// or a membership command), a config column shows each node's configuration (thesis §4).
    /// </summary>
    public static IReadOnlyList<string> StateTable(ScenarioCluster cluster)
    {
        var withConfig = cluster.MembershipInPlay;
        var rows = new List<string[]> { withConfig ? [.. Header[..^1], "config", Header[^1]] : Header };
        foreach (var id in cluster.Members)
        {
            string[] row;
            if (cluster.IsCrashed(id))
            {
                var stored = cluster.Storage(id);
                row = [id.ToString(), "DOWN", stored.HardState.Term.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    stored.HardState.VotedFor?.ToString() ?? "-", "-", "-", StoredConfiguration(cluster, id),
                    DrawLog(stored.Entries.Select(e => e.Term).ToArray(), 0, stored.Snapshot?.LastIncludedIndex ?? 0, stored.Snapshot?.LastIncludedTerm ?? 0)];
            }
            else
            {
                var node = cluster.Node(id);
                row = [id.ToString(), ScenarioCluster.Describe(node.Role), Text(node.Term), node.VotedFor?.ToString() ?? "-",
                    Text(node.CommitIndex), Text(node.LastApplied), Describe(node.Configuration), DrawLog(node, node.CommitIndex)];
            }
            rows.Add(withConfig ? row : [.. row[..6], row[^1]]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(col => rows.Max(r => r[col].Length)).ToArray();
        return rows.Select(r => string.Join("  ", r.Select((cell, col) => col == r.Length - 1 ? cell : cell.PadRight(widths[col]))).TrimEnd()).ToArray();
    }

    /// <summary>A node's log as <see cref="DrawLog(IReadOnlyList{long}, long, long, long)"/> draws it.</summary>
    public static string DrawLog(Raft.Core.Node.IRaftNode node, long commitIndex) =>
        DrawLog(ScenarioCluster.Terms(node), commitIndex, node.Log.SnapshotIndex, node.Log.TermAt(node.Log.SnapshotIndex));

    /// <summary>
    /// The terms of a log, first held index first, with <c>|</c> after the last committed entry
    /// when something is committed. After compaction (§7) the log starts with <c>[..I@T]</c>, the
    /// snapshot up to index I of term T, and <paramref name="terms"/> are those of the entries after it.
    /// </summary>
    public static string DrawLog(IReadOnlyList<long> terms, long commitIndex, long snapshotIndex = 0, long snapshotTerm = 0)
    {
        if (terms.Count == 0 && snapshotIndex == 0) return "(empty)";
        var parts = new List<string>();
        if (snapshotIndex > 0)
        {
            parts.Add($"[..{Text(snapshotIndex)}@{Text(snapshotTerm)}]");
            if (commitIndex == snapshotIndex) parts.Add("|");
        }
        var last = snapshotIndex + terms.Count;
        if (terms.Count <= LongLog)
        {
            for (var i = 0; i < terms.Count; i++)
            {
                parts.Add(Text(terms[i]));
                if (snapshotIndex + i + 1 == commitIndex) parts.Add("|");
            }
        }
        else
        {
            // Runs of one term, split at the commit point: "1x40 | 1x2 3x8".
            var start = 0;
            for (var i = 1; i <= terms.Count; i++)
            {
                var boundary = i == terms.Count || terms[i] != terms[start] || snapshotIndex + i == commitIndex;
                if (!boundary) continue;
                var length = i - start;
                parts.Add(length == 1 ? Text(terms[start]) : $"{Text(terms[start])}x{length}");
                if (snapshotIndex + i == commitIndex) parts.Add("|");
                start = i;
            }
        }
        // A commit point beyond the log (an empty tail after the snapshot) is drawn at the end once.
        if (commitIndex == last && parts[^1] != "|") parts.Add("|");
        return string.Join(' ', parts);
    }

    /// <summary><c>voters=n1,n2,n3 learners=n4</c>, or <c>(none)</c> for a server no configuration names yet.</summary>
    public static string Describe(Raft.Core.Membership.Configuration configuration) =>
        configuration.Voters.Count + configuration.Learners.Count == 0 ? "(none)" : configuration.ToString();

    /// <summary>The configuration a crashed node will restart with: the latest in its stored log, else its snapshot's, else its start-up one.</summary>
    private static string StoredConfiguration(ScenarioCluster cluster, Raft.Core.NodeId id)
    {
        var stored = cluster.Storage(id);
        foreach (var entry in stored.Entries.Reverse())
            if (entry.Kind == Raft.Core.Log.EntryKind.Configuration) return ScenarioCluster.DescribeConfiguration(entry);
        if (stored.Snapshot is { } snapshot) return Describe(snapshot.Metadata.Configuration);
        return cluster.InitialVoters.Contains(id) ? Describe(new Raft.Core.Membership.Configuration(cluster.InitialVoters)) : "(none)";
    }

    private static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
