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
        if (args.Count == 0) throw command.Error("expect what? leader, role, term, committed, log, safety, linearizable or messages");
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
                if (ScenarioCluster.Describe(node.Role) != rest[1].Text) Fail(command, $"expected {node.Id} to be {rest[1].Text}, but it is {ScenarioCluster.Describe(node.Role)}");
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
                var nodes = c.Members.Where(m => !c.IsCrashed(m)).ToList();
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
                ScenarioInterpreter.Arity(command, rest, 1, int.MaxValue);
                var node = c.Node(ScenarioInterpreter.LiveNode(command, c, rest[0]));
                var expected = rest.Skip(1).Select(t => (long)ScenarioInterpreter.Number(command, t, t.Text, 0, int.MaxValue)).ToArray();
                var actual = ScenarioCluster.Terms(node);
                if (!actual.SequenceEqual(expected))
                    Fail(command, $"expected {node.Id}'s log to be [{string.Join(' ', expected)}], but it is [{string.Join(' ', actual)}]");
                break;
            }
            case "safety":
            {
                ScenarioInterpreter.Arity(command, rest, 0, 0);
                var violations = c.Safety.Check(c.Members.Where(m => !c.IsCrashed(m)).Select(c.Node));
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
                throw command.Error(args[0], $"unknown expectation '{args[0].Text}' (leader, role, term, committed, log, safety, linearizable, messages)");
        }
        return null;
    }

    private static void Fail(ScenarioCommand command, string problem) =>
        throw new ScenarioExpectationFailed(command.File, command.Line, command.Tokens[0].Column, problem);
}
