using Raft.Core;

namespace Raft.Simulation.Scenarios;

/// <summary>The per-node table and the compact log drawing that scenarios print.</summary>
public static class ScenarioView
{
    /// <summary>Logs longer than this are drawn as runs (<c>1x30</c>) instead of one number per entry.</summary>
    private const int LongLog = 16;

    private static readonly string[] Header = ["node", "role", "term", "vote", "commit", "applied", "log (| = commit point)"];

    /// <summary>One row per node: role, term, vote, commit, applied and the log with <c>|</c> after the commit point.</summary>
    public static IReadOnlyList<string> StateTable(ScenarioCluster cluster)
    {
        var rows = new List<string[]> { Header };
        foreach (var id in cluster.Members)
        {
            if (cluster.IsCrashed(id))
            {
                var stored = cluster.Storage(id);
                rows.Add([id.ToString(), "DOWN", stored.HardState.Term.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    stored.HardState.VotedFor?.ToString() ?? "-", "-", "-", DrawLog(stored.Entries.Select(e => e.Term).ToArray(), 0)]);
                continue;
            }
            var node = cluster.Node(id);
            rows.Add([id.ToString(), ScenarioCluster.Describe(node.Role), Text(node.Term), node.VotedFor?.ToString() ?? "-",
                Text(node.CommitIndex), Text(node.LastApplied), DrawLog(ScenarioCluster.Terms(node), node.CommitIndex)]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(col => rows.Max(r => r[col].Length)).ToArray();
        return rows.Select(r => string.Join("  ", r.Select((cell, col) => col == r.Length - 1 ? cell : cell.PadRight(widths[col]))).TrimEnd()).ToArray();
    }

    /// <summary>The terms of a log, index 1 first, with <c>|</c> after the last committed entry when something is committed.</summary>
    public static string DrawLog(IReadOnlyList<long> terms, long commitIndex)
    {
        if (terms.Count == 0) return "(empty)";
        var parts = new List<string>();
        if (terms.Count <= LongLog)
        {
            for (var i = 0; i < terms.Count; i++)
            {
                parts.Add(Text(terms[i]));
                if (i + 1 == commitIndex && i + 1 < terms.Count) parts.Add("|");
            }
            if (commitIndex == terms.Count) parts.Add("|");
            return string.Join(' ', parts);
        }
        // Runs of one term, split at the commit point: "1x40 | 1x2 3x8".
        var start = 0;
        for (var i = 1; i <= terms.Count; i++)
        {
            var boundary = i == terms.Count || terms[i] != terms[start] || i == commitIndex;
            if (!boundary) continue;
            var length = i - start;
            parts.Add(length == 1 ? Text(terms[start]) : $"{Text(terms[start])}x{length}");
            if (i == commitIndex) parts.Add("|");
            start = i;
        }
        return string.Join(' ', parts);
    }

    private static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
