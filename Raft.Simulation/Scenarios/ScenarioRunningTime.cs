using System.Text.RegularExpressions;
using Raft.Core;
using Raft.Core.Inputs;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// Lets time run for <c>run-for</c> and <c>run-until</c>: in each round every live node gets one
/// tick (in node order), then every message in flight is delivered, oldest first, until the
/// network is quiet. Everything that happens is kept in full for <c>trace</c>; the summary keeps
/// only what a reader needs to follow the story: role and term changes, overwritten logs, client
/// replies, answered and refused reads, configurations taken up, snapshots stored and restored, and crashes (each with its tick), how commit indexes moved, and the message counts.
/// </summary>
public sealed partial class ScenarioRunningTime
{
    private readonly ScenarioCluster cluster;
    private readonly SortedDictionary<NodeId, long> commitBefore = [];
    private readonly SortedDictionary<string, int> sentBefore;
    private readonly int deliveredBefore;
    private readonly int lostBefore;
    private readonly List<string> events = [];

    public ScenarioRunningTime(ScenarioCluster cluster)
    {
        this.cluster = cluster;
        foreach (var id in cluster.Members.Where(m => !cluster.IsCrashed(m))) commitBefore[id] = cluster.Node(id).CommitIndex;
        sentBefore = new SortedDictionary<string, int>(cluster.SentByKind, StringComparer.Ordinal);
        deliveredBefore = cluster.Delivered;
        lostBefore = cluster.Lost;
    }

    public int Rounds { get; private set; }

    /// <summary>Everything that happened, tick by tick, as the step-by-step commands print it.</summary>
    public List<string> Details { get; } = [];

    /// <summary>
    /// The leader a majority of its voters follows, among the live nodes, or null
    /// (<see cref="Leadership.FollowedLeader"/>). A partitioned old leader that still believes it
    /// leads does not count, and a cut-off node that campaigned into a higher term does not hide the leader.
    /// </summary>
    public static NodeId? CurrentLeader(ScenarioCluster cluster) => Leadership.FollowedLeader(
        cluster.Members.Where(m => !cluster.IsCrashed(m)).Select(cluster.Node).ToList(),
        (leader, voter) => cluster.Members.Contains(voter) && !cluster.IsCrashed(voter) && !cluster.IsCut(leader, voter) && !cluster.IsCut(voter, leader) ? cluster.Node(voter) : null);

    public void Round(ScenarioCommand command, int deliverLimit)
    {
        Rounds++;
        var report = new List<string> { $"tick {Rounds}" };
        foreach (var id in cluster.Members)
            if (!cluster.IsCrashed(id)) cluster.Step(id, Tick.Instance, report);
        for (var i = 0; cluster.InFlight.Count > 0; i++)
        {
            if (i == deliverLimit) throw command.Error($"still {cluster.InFlight.Count} messages in flight after {deliverLimit} deliveries");
            cluster.Deliver(cluster.InFlight[0], report);
        }
        // Quiet ticks (nobody timed out, no heartbeat due) are left out of the trace.
        if (report.Count > 1) Details.AddRange(report);
        events.AddRange(report.Where(line => Notable().IsMatch(line)).Select(line => $"  tick {Rounds}: {line.Trim()}"));
    }

    /// <summary>How long time ran, what changed, the commit indexes that moved and the messages.</summary>
    public IReadOnlyList<string> Summary()
    {
        var lines = new List<string> { $"{Rounds} tick{(Rounds == 1 ? "" : "s")}, every message delivered after each" };
        lines.AddRange(events);
        var moved = commitBefore.Where(p => !cluster.IsCrashed(p.Key) && cluster.Node(p.Key).CommitIndex != p.Value)
            .Select(p => $"{p.Key} {p.Value}->{cluster.Node(p.Key).CommitIndex}").ToList();
        lines.Add(moved.Count == 0 ? "  no commit index moved" : $"  commit {string.Join(", ", moved)}");
        var sent = cluster.SentByKind.Select(k => (k.Key, Count: k.Value - sentBefore.GetValueOrDefault(k.Key))).Where(k => k.Count > 0).ToList();
        lines.Add($"  sent {sent.Sum(k => k.Count)}{(sent.Count == 0 ? "" : $" ({string.Join(", ", sent.Select(k => $"{k.Key} {k.Count}"))})")}, delivered {cluster.Delivered - deliveredBefore}, lost {cluster.Lost - lostBefore}");
        return lines;
    }

    [GeneratedRegex(@"^  n\d+ (is |log overwrites|replies|answers read|refuses read|crashes|uses config|stores snapshot|restores its store)")]
    private static partial Regex Notable();
}
