using Raft.Core;
using Raft.Core.Membership;
using Raft.Core.Node;
using Raft.Simulation.Network;
using Raft.Simulation.Nodes;
using Raft.Simulation.Tracing;

namespace Raft.Simulation.Checkers;

/// <summary>
/// Progress during a run (<see cref="Property.Progress"/>): whenever a majority has been able to
/// work for a while, it commits. Checked after every event, with faults still going on, so that a
/// core which cannot commit with some servers gone (a leader that does not count itself, followers
/// that stop answering) is caught while the fault lasts, not only once every server is back.
/// <para>
/// A <em>healthy majority</em> is a set of running servers (up, not paused) that can talk among
/// themselves and with nobody else running: every link between two of them is open both ways and
/// lets messages through (<see cref="LetsThrough"/>), and every link between one of them and
/// another running server is cut both ways. It must hold a majority of the voters of the committed
/// configuration and of the configuration each of its servers uses (thesis §4: a new
/// configuration is in force once appended). Why an island, and not any connected majority: a
/// server that can send to the majority but not hear its leader keeps calling elections in higher
/// terms (without PreVote), and a leader that can send to the majority but not hear it keeps it
/// quiet with heartbeats while it cannot commit (without CheckQuorum); correct Raft need not
/// progress then.
/// </para>
/// <para>
/// The rule: while the same healthy majority lasts and it has something to commit (no server of
/// it leads, so a new leader's no-op is due; or a leader among them holds an entry beyond the
/// highest commit index among them: a client's request, a no-op, a configuration), the highest
/// commit index among them must grow within the window. Either condition ending, or the majority
/// changing, starts the clock again. Only a leader's log counts: a follower's uncommitted entries
/// may rightly never commit (a leader truncates them, or the follower was removed and nobody
/// replicates to it any more).
/// </para>
/// The checker believes the commit indexes the nodes report (the safety checks judge those); it
/// records nothing in the trace unless the property fails, so passing runs keep their digests.
/// </summary>
public sealed class ProgressChecker
{
    /// <summary>The share of messages a link may lose or hold for long and still count as letting messages through.</summary>
    public const double MaxFailureRate = 0.1;

    private readonly SimNode[] nodes;
    private readonly SimNetwork network;
    private readonly long windowMicros;
    private readonly long maxLatencyMicros;

    // What the healthy majority was computed from: when any of it changes, it is computed again.
    private readonly NodeStatus[] seenStatus;
    private readonly IRaftNode?[] seenCore;
    private readonly Configuration?[] seenConfiguration;
    private long seenNetwork = -1;
    private long seenCommitted = long.MinValue;

    private ulong majority; // bit i: nodes[i]; 0 when no healthy majority
    private long baseline; // the highest commit index among the majority when it formed or last grew
    private long quietSince = -1; // since when it has had something to commit and committed nothing; -1: not now

    /// <param name="nodes">Every server, in id order.</param>
    /// <param name="network">The network between them.</param>
    /// <param name="windowMicros">How long a healthy majority with something to commit may go without committing.</param>
    /// <param name="minElectionMicros">The shortest election timeout: a link slower than half of it does not let messages through in time.</param>
    public ProgressChecker(IReadOnlyList<SimNode> nodes, SimNetwork network, long windowMicros, long minElectionMicros)
    {
        if (nodes.Count > 64) throw new ArgumentException("at most 64 servers", nameof(nodes));
        this.nodes = [.. nodes];
        this.network = network;
        this.windowMicros = windowMicros;
        maxLatencyMicros = minElectionMicros / 2;
        seenStatus = new NodeStatus[nodes.Count];
        seenCore = new IRaftNode?[nodes.Count];
        seenConfiguration = new Configuration?[nodes.Count];
    }

    /// <summary>
    /// Looks at the cluster after an event at <paramref name="nowMicros"/>. Returns the violation's
    /// message, or null. <paramref name="committedVersion"/> changes whenever
    /// <paramref name="committed"/> does (it is asked for only then).
    /// </summary>
    public string? Check(long nowMicros, long committedVersion, Func<Configuration> committed)
    {
        if (Changed(committedVersion)) Reconsider(committed());
        if (majority == 0) return null;

        var commit = 0L;
        var leader = -1;
        var last = 0L; // the end of the longest log of a leader among them
        for (var i = 0; i < nodes.Length; i++)
        {
            if ((majority & (1UL << i)) == 0) continue;
            var core = nodes[i].Core;
            commit = Math.Max(commit, core.CommitIndex);
            if (core.Role == Role.Leader && core.Log.LastIndex >= last) (last, leader) = (core.Log.LastIndex, i);
        }
        if (commit > baseline)
        {
            baseline = commit;
            quietSince = -1;
            return null;
        }
        if (leader >= 0 && last <= commit)
        {
            quietSince = -1; // nothing to commit
            return null;
        }
        if (quietSince < 0) quietSince = nowMicros;
        if (nowMicros - quietSince < windowMicros) return null;

        var pending = leader >= 0 ? $"their leader {nodes[leader].Id} holds entries up to {last}" : "none of them leads";
        return $"{Names(majority)}, a healthy majority (up, connected both ways, cut off from the other running servers), "
            + $"committed nothing beyond index {commit} from {TraceEvent.FormatTime(quietSince)} to {TraceEvent.FormatTime(nowMicros)} "
            + $"(window {TraceEvent.FormatTime(windowMicros)}), although {pending}";
    }

    /// <summary>Whether anything the healthy majority depends on changed since it was last computed; notes the new state.</summary>
    private bool Changed(long committedVersion)
    {
        var changed = network.Version != seenNetwork || committedVersion != seenCommitted;
        seenNetwork = network.Version;
        seenCommitted = committedVersion;
        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            var core = node.Core;
            var configuration = node.Status == NodeStatus.Up ? core.Configuration : null;
            if (node.Status == seenStatus[i] && ReferenceEquals(core, seenCore[i]) && ReferenceEquals(configuration, seenConfiguration[i])) continue;
            changed = true;
            seenStatus[i] = node.Status;
            seenCore[i] = core;
            seenConfiguration[i] = configuration;
        }
        return changed;
    }

    /// <summary>Finds the healthy majority now; if it is not the one before, its clock starts afresh.</summary>
    private void Reconsider(Configuration committed)
    {
        var found = HealthyMajority(committed);
        if (found == majority) return;
        majority = found;
        quietSince = -1;
        baseline = 0;
        for (var i = 0; i < nodes.Length; i++)
            if ((found & (1UL << i)) != 0) baseline = Math.Max(baseline, nodes[i].Core.CommitIndex);
    }

    private ulong HealthyMajority(Configuration committed)
    {
        ulong running = 0;
        for (var i = 0; i < nodes.Length; i++)
            if (nodes[i].Status == NodeStatus.Up) running |= 1UL << i;
        var left = running;
        while (left != 0)
        {
            var group = Group(System.Numerics.BitOperations.TrailingZeroCount(left), running);
            left &= ~group;
            if (IsHealthy(group) && IsMajority(group, committed)) return group;
        }
        return 0;
    }

    /// <summary>The running servers that <paramref name="start"/> can reach, or be reached from, over open links, directly or not.</summary>
    private ulong Group(int start, ulong running)
    {
        var group = 1UL << start;
        var frontier = group;
        while (frontier != 0)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(frontier);
            frontier &= frontier - 1;
            for (var j = 0; j < nodes.Length; j++)
            {
                if ((running & (1UL << j)) == 0 || (group & (1UL << j)) != 0) continue;
                if (network.IsCut(nodes[i].Id, nodes[j].Id) && network.IsCut(nodes[j].Id, nodes[i].Id)) continue;
                group |= 1UL << j;
                frontier |= 1UL << j;
            }
        }
        return group;
    }

    /// <summary>Every link between two servers of the group is open both ways and lets messages through.</summary>
    private bool IsHealthy(ulong group)
    {
        for (var i = 0; i < nodes.Length; i++)
            for (var j = 0; j < nodes.Length; j++)
                if (i != j && (group & (1UL << i)) != 0 && (group & (1UL << j)) != 0
                    && (network.IsCut(nodes[i].Id, nodes[j].Id) || !LetsThrough(network.ProfileOf(nodes[i].Id, nodes[j].Id))))
                    return false;
        return true;
    }

    /// <summary>
    /// A link lets messages through when few are lost or held for long (at most
    /// <see cref="MaxFailureRate"/> together) and the others arrive within half the shortest
    /// election timeout, reordering included, so that heartbeats beat the followers' timers.
    /// </summary>
    private bool LetsThrough(LinkProfile link) =>
        link.LossRate + link.LongDelayRate <= MaxFailureRate
        && link.MaxLatencyMicros + (link.ReorderRate > 0 ? link.ReorderDelayMicros : 0) <= maxLatencyMicros;

    /// <summary>A majority of the voters of the committed configuration and of each configuration a server of the group uses.</summary>
    private bool IsMajority(ulong group, Configuration committed)
    {
        bool In(NodeId id)
        {
            for (var i = 0; i < nodes.Length; i++)
                if (nodes[i].Id == id) return (group & (1UL << i)) != 0;
            return false;
        }
        if (!committed.HasQuorum(In)) return false;
        for (var i = 0; i < nodes.Length; i++)
        {
            if ((group & (1UL << i)) == 0) continue;
            var configuration = nodes[i].Core.Configuration;
            if (configuration.Voters.Count > 0 && !configuration.HasQuorum(In)) return false;
        }
        return true;
    }

    private string Names(ulong group) =>
        string.Join(" ", Enumerable.Range(0, nodes.Length).Where(i => (group & (1UL << i)) != 0).Select(i => nodes[i].Id.ToString()));
}
