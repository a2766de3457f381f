using System.Text;

namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>The one rendering of a linearizability verdict, shared by the generic and the key-value results.</summary>
internal static class LinearizabilityText
{
    public static string Render<TInput, TOutput>(LinearizabilityResult<TInput, TOutput> result, string partitionWord = "partition")
        where TOutput : class
    {
        switch (result.Outcome)
        {
            case LinearizabilityOutcome.Linearizable:
                return $"linearizable ({result.Steps} search steps)";
            case LinearizabilityOutcome.Unknown:
                return $"inconclusive: the search gave up on {partitionWord} \"{result.Partition}\" after {result.Steps} search steps over all {partitionWord}s (raise the step budget)";
            default:
                var text = new StringBuilder();
                text.Append($"not linearizable: {partitionWord} \"{result.Partition}\", these {result.IllegalHistory.Count} operations cannot be ordered:");
                foreach (var op in result.IllegalHistory.OrderBy(o => o.CalledAt).ThenBy(o => o.Id))
                {
                    text.Append("\n  ").Append(op);
                    if (op.Id == result.Culprit?.Id) text.Append("   <- cannot be placed");
                }
                if (result.Culprit is { } culprit)
                {
                    text.Append($"\nop{culprit.Id} is the first operation that cannot be placed: the history is linearizable up to its return at {culprit.ReturnedAt}; ");
                    text.Append(result.CulpritIsMistimed
                        ? "these answers fit some order that ignores real time, but none that respects it (a stale, early or overtaking answer)."
                        : "no order of these operations that respects real time gives its answer.");
                }
                return text.ToString();
        }
    }
}
