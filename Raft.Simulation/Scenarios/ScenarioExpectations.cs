using Raft.Core;
using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// The <c>expect</c> commands: assertions about the cluster that stop the scenario with
/// file:line when they do not hold.
/// </summary>
public static class ScenarioExpectations
{
    /// <summary>Throws when the expectation does not hold; returns a line to print, or null for plain "ok".</summary>
    public static string? Check(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args)
    {
        if (args.Count == 0) throw command.Error("expect what? leader, role, term, committed, log, config, snapshot, safety, linearizable or messages");
        var rest = args.Skip(1).ToArray();
        switch (args[0].Text)
        {
            case "leader":
            {
                ScenarioInterpreter.Arity(command, rest, 1, 1);
                var node = c.Node(ScenarioInterpreter.LiveNode(command, c, rest[0]));
                if (node.Role != Role.Leader) Fail(command, $"expected {node.Id} to be leader, but it is {ScenarioCluster.Describe(node.Role)} in term {node.Term}");
                break;
            }
            case "role":
            {
                ScenarioInterpreter.Arity(command, rest, 2, 2);
                var node = c.Node(ScenarioInterpreter.LiveNode(command, c, rest[0]));
                // A learner (thesis §4.2.1) is a follower that its own configuration lists as a learner.
                var role = node.Role == Role.Follower && node.Configuration.IsLearner(node.Id) && rest[1].Text == "learner" ? "learner" : ScenarioCluster.Describe(node.Role);
                if (role != rest[1].Text) Fail(command, $"expected {node.Id} to be {rest[1].Text}, but it is {role}{(node.Configuration.IsLearner(node.Id) ? " (a learner)" : "")}");
                break;
            }
            case "term":
            {
                ScenarioInterpreter.Arity(command, rest, 2, 2);
                var node = c.Node(ScenarioInterpreter.LiveNode(command, c, rest[0]));
                var term = ScenarioInterpreter.Number(command, rest[1], rest[1].Text, 0, int.MaxValue);
                if (node.Term != term) Fail(command, $"expected {node.Id} in term {term}, but it is in term {node.Term}");
                break;
            }
            case "committed":
            {
                // expect committed N [on nA nB ...]: each named (or each live) node has commit index N.
                ScenarioInterpreter.Arity(command, rest, 1, int.MaxValue);
                var index = ScenarioInterpreter.Number(command, rest[0], rest[0].Text, 0, int.MaxValue);
                var nodes = c.LiveMembers().ToList();
                if (rest.Length > 1)
                {
                    if (rest[1].Text != "on") throw command.Error(rest[1], "expected 'on' before the nodes");
                    if (rest.Length == 2) throw command.Error(rest[1], "name the nodes after 'on'");
                    nodes = rest.Skip(2).Select(t => ScenarioInterpreter.LiveNode(command, c, t)).ToList();
                }
                var wrong = nodes.Where(id => c.Node(id).CommitIndex != index).Select(id => $"{id} has {c.Node(id).CommitIndex}").ToList();
                if (wrong.Count > 0) Fail(command, $"expected commit index {index}, but {string.Join(", ", wrong)}");
                break;
            }
            case "log":
            {
                // A crashed server's log is the one on its disk: what it will restart with.
                ScenarioInterpreter.Arity(command, rest, 1, int.MaxValue);
                var id = ScenarioInterpreter.Node(command, c, rest[0]);
                var expected = rest.Skip(1).Select(t => (long)ScenarioInterpreter.Number(command, t, t.Text, 0, int.MaxValue)).ToArray();
                var crashed = c.IsCrashed(id);
                var actual = crashed ? c.Storage(id).Entries.Select(e => e.Term).ToArray() : ScenarioCluster.Terms(c.Node(id));
                if (!actual.SequenceEqual(expected))
                    Fail(command, $"expected {id}'s log to be [{string.Join(' ', expected)}], but it is [{string.Join(' ', actual)}]{(crashed ? " (on its disk: it is crashed)" : "")}");
                break;
            }
            case "config":
            {
                // expect config nK voters=nA,nB [learners=nC]: the configuration nK uses now (thesis §4.1).
                ScenarioInterpreter.Arity(command, rest, 2, 3);
                var node = c.Node(ScenarioInterpreter.LiveNode(command, c, rest[0]));
                var voters = Names(command, c, rest[1], "voters");
                var learners = rest.Length == 3 ? Names(command, c, rest[2], "learners") : [];
                var expected = new Raft.Core.Membership.Configuration(voters, learners);
                if (!expected.Equals(node.Configuration)) Fail(command, $"expected {node.Id} to use {expected}, but it uses {node.Configuration}");
                break;
            }
            case "snapshot":
            {
                // expect snapshot nK I: nK's latest snapshot ends at index I (0: none).
                ScenarioInterpreter.Arity(command, rest, 2, 2);
                var node = c.Node(ScenarioInterpreter.LiveNode(command, c, rest[0]));
                var index = ScenarioInterpreter.Number(command, rest[1], rest[1].Text, 0, int.MaxValue);
                if (node.Log.SnapshotIndex != index) Fail(command, $"expected {node.Id}'s snapshot to end at {index}, but it ends at {node.Log.SnapshotIndex}");
                break;
            }
            case "safety":
            {
                ScenarioInterpreter.Arity(command, rest, 0, 0);
                var violations = c.Safety.Violations;
                if (violations.Count > 0) Fail(command, "safety violated: " + string.Join("; ", violations));
                break;
            }
            case "linearizable":
            {
                ScenarioInterpreter.Arity(command, rest, 0, 0);
                var history = c.Clients.History;
                var result = LinearizabilityChecker.Check(history);
                if (!result.IsLinearizable) Fail(command, result.Render());
                return $"linearizable: {history.Count} client operations, {history.Count(o => o.IsComplete)} answered";
            }
            case "messages":
            {
                // expect messages at-most N: a budget on the messages sent since the start or the last 'messages reset'.
                ScenarioInterpreter.Arity(command, rest, 2, 2);
                if (rest[0].Text != "at-most") throw command.Error(rest[0], "write 'expect messages at-most N'");
                var budget = ScenarioInterpreter.Number(command, rest[1], rest[1].Text, 0, int.MaxValue);
                var sent = c.SentByKind.Values.Sum();
                if (sent > budget) Fail(command, $"expected at most {budget} messages, but {sent} were sent");
                return $"{sent} messages sent, within {budget}";
            }
            default:
                throw command.Error(args[0], $"unknown expectation '{args[0].Text}' (leader, role, term, committed, log, config, snapshot, safety, linearizable, messages)");
        }
        return null;
    }

    /// <summary><c>voters=n1,n2,n3</c>: the nodes after <paramref name="key"/>=, comma-separated (<c>none</c> for none).</summary>
    private static Core.NodeId[] Names(ScenarioCommand command, ScenarioCluster c, ScenarioToken token, string key)
    {
        if (!token.Text.StartsWith(key + "=", StringComparison.Ordinal))
            throw command.Error(token, $"expected {key}=nA,nB,..., not '{token.Text}'");
        var list = token.Text[(key.Length + 1)..];
        if (list == "none") return [];
        return list.Split(',').Select(name => ScenarioInterpreter.Node(command, c, token, name)).ToArray();
    }

    private static void Fail(ScenarioCommand command, string problem) =>
        throw new ScenarioExpectationFailed(command.File, command.Line, command.Tokens[0].Column, problem);
}
