using Raft.Core.StateMachine;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.History;

namespace Raft.Tests.Linearizability;

/// <summary>
/// The definition of linearizability, checked literally on tiny one-key histories: try every order
/// of every choice of which reply-less operations took effect. An oracle for the real search.
/// </summary>
internal static class BruteForceLinearizability
{
    public static bool IsLinearizable(IReadOnlyList<ClientOperation> history)
    {
        var complete = history.Where(o => o.IsComplete).ToList();
        var pending = history.Where(o => !o.IsComplete).ToList();
        for (var mask = 0; mask < 1 << pending.Count; mask++)
        {
            var chosen = complete.Concat(pending.Where((_, i) => (mask & (1 << i)) != 0)).ToList();
            if (SomeOrderWorks(chosen, [], null)) return true;
        }
        return false;
    }

    private static bool SomeOrderWorks(List<ClientOperation> remaining, List<ClientOperation> order, string? value)
    {
        if (remaining.Count == 0) return true;
        foreach (var next in remaining)
        {
            // Real time: next may go first only if no other remaining operation returned before it was called.
            if (remaining.Any(o => o != next && o.CompletedAt is { } done && done < next.InvokedAt)) continue;
            var (result, after) = KvModel.Apply(value, next.Command);
            if (next.IsComplete && result != next.Result) continue;
            var rest = remaining.Where(o => o != next).ToList();
            if (SomeOrderWorks(rest, [.. order, next], after)) return true;
        }
        return false;
    }
}
