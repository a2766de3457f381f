using System.Globalization;
using Raft.Core;
using Raft.Core.Node;
using Raft.Simulation.Nodes;

namespace Raft.Simulation;

/// <summary>One server as a run left it (at a violation: at the moment of the violation), for reports.</summary>
public sealed record ServerState(NodeId Id, NodeStatus Status, Role Role, long Term, NodeId? VotedFor, long CommitIndex, long LastIndex, long LastTerm, string Configuration)
{
    public static ServerState Of(SimNode node) => new(node.Id, node.Status, node.Core.Role, node.Core.Term, node.Core.VotedFor,
        node.Core.CommitIndex, node.Core.Log.LastIndex, node.Core.Log.LastTerm, node.Core.Configuration.ToString());

    /// <summary><c>n2  up      leader     term 18  vote n2  commit 40  log 42@18  voters=n1,n2,n3</c></summary>
    public string ToText() => string.Create(CultureInfo.InvariantCulture,
        $"{Id,-3} {Status.ToString().ToLowerInvariant(),-7} {Role.ToString().ToLowerInvariant(),-13} term {Term,-4} vote {VotedFor?.ToString() ?? "-",-3} commit {CommitIndex,-5} log {LastIndex}@{LastTerm,-5} {Configuration}");
}
