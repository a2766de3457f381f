using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Membership;
using Raft.Core.Node;
using Raft.Core.StateMachine;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// Membership changes (thesis §4) and bulk writes: <c>add</c>, <c>add-learner</c>, <c>remove</c>
/// and <c>put-many</c>. Spares (<c>cluster spares=N</c>) start with an empty configuration and
/// stay idle until a leader's configuration names them.
/// </summary>
public sealed partial class ScenarioCluster
{
    /// <summary>The client whose writes <c>put-many</c> makes; client 1 is the scenario's own <c>put</c>/<c>get</c>.</summary>
    private const long BulkClient = 2;

    private long bulkSequence = 1;

    /// <summary>True once the membership can differ from the start (spares, or a membership command): the state table then shows configurations.</summary>
    public bool MembershipInPlay { get; private set; }

    /// <summary>Asks <paramref name="via"/> to change the membership; the first report line says what it answered.</summary>
    public ProposeOutcome ChangeMembership(NodeId via, MembershipChangeKind kind, NodeId node, List<string> report)
    {
        MembershipInPlay = true;
        var outcome = Step(via, new ChangeMembership(kind, node), report).Proposal!;
        var what = kind switch
        {
            MembershipChangeKind.AddVoter => $"add {node}",
            MembershipChangeKind.AddLearner => $"add-learner {node}",
            _ => $"remove {node}",
        };
        report.Insert(0, outcome switch
        {
            { Accepted: true, Index: 0 } => $"{via} accepts {what}: it promotes {node} once it has caught up",
            { Accepted: true } => $"{via} accepts {what} at {outcome.Index}@{outcome.Term}",
            { Refusal: ProposeRefusal.NotLeader } => $"{via} refuses {what}: NotLeader (leader hint {outcome.LeaderHint?.ToString() ?? "-"})",
            _ => $"{via} refuses {what}: {outcome.Refusal}",
        });
        return outcome;
    }

    /// <summary>
    /// <c>put-many nK N [PREFIX]</c>: N puts PREFIX1=v1 .. PREFIXN=vN, proposed one after the other
    /// to <paramref name="id"/>. Summarised: how many were accepted where, and the messages sent;
    /// their clients are not tracked (no replies, not in the linearizability history).
    /// </summary>
    public void PutMany(NodeId id, int count, string prefix, List<string> report)
    {
        var steps = new List<string>();
        ProposeOutcome? first = null, last = null;
        for (var i = 1; i <= count; i++)
        {
            var command = new KvCommand(BulkClient, bulkSequence++, KvOperation.Put, $"{prefix}{i}", $"v{i}");
            var outcome = Step(id, new Propose(command.Encode()), steps).Proposal!;
            if (!outcome.Accepted)
            {
                report.Add($"{id} refuses put {prefix}{i}: {outcome.Refusal} (leader hint {outcome.LeaderHint?.ToString() ?? "-"})");
                break;
            }
            first ??= outcome;
            last = outcome;
        }
        if (first is not null && last is not null)
        {
            report.Insert(0, $"{id} accepts {last.Index - first.Index + 1} puts {prefix}1=v1 .. at {first.Index}@{first.Term} .. {last.Index}@{last.Term}");
        }
        var sends = steps.Where(line => line.StartsWith($"  {id} sends ", StringComparison.Ordinal)).ToList();
        if (sends.Count > 0)
            report.Add($"  {id} sends {sends.Count} messages, {MessageNumber(sends[0])} to {MessageNumber(sends[^1])}");
        // Everything but the appends and sends, which the lines above sum up.
        report.AddRange(steps.Where(line => !line.StartsWith($"  {id} sends ", StringComparison.Ordinal)
            && !line.StartsWith($"  {id} log appends ", StringComparison.Ordinal)));
    }

    private static string MessageNumber(string sendLine) => sendLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];

    /// <summary>Live nodes that are members (voters or learners) in their own configuration: the default for <c>committed</c> checks.</summary>
    public IEnumerable<NodeId> LiveMembers() =>
        Members.Where(m => !IsCrashed(m) && nodes[m].Configuration.IsMember(m));
}
