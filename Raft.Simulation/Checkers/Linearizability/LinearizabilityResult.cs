using System.Text;
using Raft.Simulation.History;

namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// What <see cref="LinearizabilityChecker.Check"/> found. On a violation, <see cref="Key"/> names
/// the key whose operations cannot be ordered and <see cref="IllegalHistory"/> holds an illegal
/// subset of them that is minimal by removal: removing any one of its operations makes it
/// linearizable (unless deciding that ran out of step budget). On an unknown
/// outcome, <see cref="Key"/> names the first key the search gave up on. <see cref="Steps"/> counts
/// the search steps spent reaching the verdict (shrinking not included).
/// </summary>
public sealed record LinearizabilityResult(
    LinearizabilityOutcome Outcome,
    string? Key,
    IReadOnlyList<ClientOperation> IllegalHistory,
    long Steps)
{
    public bool IsLinearizable => Outcome == LinearizabilityOutcome.Linearizable;

    /// <summary>A few lines for a person: the verdict, then one operation per line in call order.</summary>
    public string Render()
    {
        switch (Outcome)
        {
            case LinearizabilityOutcome.Linearizable:
                return $"linearizable ({Steps} search steps)";
            case LinearizabilityOutcome.Unknown:
                return $"unknown: gave up on key \"{Key}\" after {Steps} search steps (raise the step budget)";
            default:
                var text = new StringBuilder();
                text.Append($"not linearizable: key \"{Key}\", these {IllegalHistory.Count} operations cannot be ordered:");
                foreach (var op in IllegalHistory.OrderBy(o => o.InvokedAt).ThenBy(o => o.Id))
                {
                    text.Append('\n').Append("  ").Append(RenderOperation(op));
                }
                return text.ToString();
        }
    }

    public override string ToString() => Render();

    private static string RenderOperation(ClientOperation op)
    {
        var interval = $"[{op.InvokedAt}, {(op.CompletedAt is { } at ? at.ToString() : "...")}]";
        var answer = op.Result is { } result ? result.ToString() : "no reply";
        return $"op{op.Id} {interval} {op.Command} -> {answer}";
    }
}
