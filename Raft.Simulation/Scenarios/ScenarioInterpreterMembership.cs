using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Membership;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// The commands for membership changes and log compaction (thesis §4, §7): <c>add</c>,
/// <c>add-learner</c>, <c>remove</c>, <c>compact</c> and <c>put-many</c>, which writes enough
/// entries to make compaction worth watching.
/// </summary>
public sealed partial class ScenarioInterpreter
{
    /// <summary>
    /// <c>add nK [via nL]</c>, <c>add-learner nK [via nL]</c>, <c>remove nK [via nL]</c>: a
    /// membership change, sent to nL or else to the current leader.
    /// </summary>
    private static void ChangeMembership(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args,
        MembershipChangeKind kind, List<string> report)
    {
        if (args.Count is not (1 or 3)) throw command.Error($"write '{command.Name} nK' or '{command.Name} nK via nL'");
        var node = Node(command, c, args[0]);
        NodeId via;
        if (args.Count == 3)
        {
            if (args[1].Text != "via") throw command.Error(args[1], $"expected 'via nL' after the node, not '{args[1].Text}'");
            via = LiveNode(command, c, args[2]);
        }
        else
        {
            via = ScenarioRunningTime.CurrentLeader(c)
                ?? throw command.Error("no node leads now: name the node to ask with 'via nL'");
        }
        c.ChangeMembership(via, kind, node, report);
    }

    /// <summary><c>compact nK [at I]</c>: nK snapshots its store as of I (default: its last applied index) and compacts its log (§7).</summary>
    private static void Compact(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args, List<string> report)
    {
        if (args.Count is not (1 or 3)) throw command.Error("write 'compact nK' or 'compact nK at I'");
        var id = LiveNode(command, c, args[0]);
        var node = c.Node(id);
        var index = node.LastApplied;
        if (args.Count == 3)
        {
            if (args[1].Text != "at") throw command.Error(args[1], $"expected 'at I' after the node, not '{args[1].Text}'");
            index = Number(command, args[2], args[2].Text, 1, int.MaxValue);
        }
        var at = args.Count == 3 ? args[2] : args[0];
        if (index <= node.Log.SnapshotIndex)
            throw command.Error(at, $"{id} has already compacted up to {node.Log.SnapshotIndex}");
        if (index > node.LastApplied)
            throw command.Error(at, $"{id} has applied only up to {node.LastApplied}: it can snapshot no further");
        c.Compact(id, index, report);
    }

    /// <summary><c>put-many nK N [PREFIX]</c>: N puts PREFIX1=v1 .. PREFIXN=vN to nK, summed up in a few lines.</summary>
    private static void PutMany(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args, List<string> report)
    {
        Arity(command, args, 2, 3);
        var id = LiveNode(command, c, args[0]);
        var count = Number(command, args[1], args[1].Text, 1, 100_000);
        var prefix = args.Count == 3 ? args[2].Text : "k";
        c.PutMany(id, count, prefix, report);
    }

    /// <summary>What <c>log-of</c> adds after <c>index@term</c>: the kind of entry, unless it is a command.</summary>
    private static string LogOfKind(LogEntry entry) => entry.Kind switch
    {
        EntryKind.NoOp => " noop",
        EntryKind.Configuration => $" config {ScenarioCluster.DescribeConfiguration(entry)}",
        _ => "",
    };
}
