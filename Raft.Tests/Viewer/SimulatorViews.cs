using Raft.Core;
using Raft.Core.Node;
using Raft.Simulation.Nodes;
using Raft.Simulation.Scenarios;

namespace Raft.Tests.Viewer;

/// <summary>
/// The simulator's own state of each server, in the viewer's terms, read from the nodes
/// themselves (not from the trace the page is built from): what a page must show at that event.
/// </summary>
internal static class SimulatorViews
{
    public static ServerView Of(SimNode node) => Of(node.Id.ToString(), node.Status switch
    {
        NodeStatus.Down => "down",
        NodeStatus.Paused => "paused",
        _ => "up",
    }, node.Core);

    public static ServerView Of(string server, string status, IRaftNode core)
    {
        var log = core.Log;
        var entries = new List<string>();
        for (var i = log.SnapshotIndex + 1; i <= log.LastIndex; i++) entries.Add($"{i}@{log.TermAt(i)}");
        return new ServerView(server, status, core.Role.ToString().ToLowerInvariant(), core.Term, core.CommitIndex, log.SnapshotIndex, string.Join(' ', entries),
            status == "up" ? Progress(core) : "").Comparable;
    }

    /// <summary>A leader's matchIndex/nextIndex per follower, as <c>n2=5/6 n3=4/5</c>; empty for other roles.</summary>
    private static string Progress(IRaftNode core)
    {
        if (core is not RaftNode raft || core.Role != Role.Leader) return "";
        var rows = new List<string>();
        foreach (var peer in core.Configuration.Members.Where(m => m != core.Id))
            if (raft.ProgressOf(peer) is { } progress) rows.Add($"{peer}={progress.Match}/{progress.Next}");
        return string.Join(' ', rows);
    }

    /// <summary>Every server of a simulation, in id order.</summary>
    public static IReadOnlyList<ServerView> Of(Raft.Simulation.Simulation simulation) => simulation.Nodes.Values.Select(Of).ToList();

    /// <summary>Every server of a scenario's cluster, in id order.</summary>
    public static IReadOnlyList<ServerView> Of(ScenarioCluster cluster) =>
        cluster.Members.Select(id => Of(id.ToString(), cluster.IsCrashed(id) ? "down" : "up", cluster.Node(id))).ToList();

    /// <summary>
    /// True when every step's effects are out: no node waits for its disk with a step whose
    /// changes of role, term and commit are recorded only once its writes are durable.
    /// </summary>
    public static bool Settled(Raft.Simulation.Simulation simulation) =>
        simulation.Nodes.Values.All(n => n.SyncedAtMicros <= simulation.Now && n.Held.Count == 0);
}
