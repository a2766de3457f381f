using System.Collections.Immutable;
using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Tests.Linearizability;

/// <summary>
/// The definition of linearizability, checked literally for any model on tiny histories: choose
/// which never-returned operations took effect, then try every order of the chosen ones that
/// respects real time, on the whole object (a state per partition, no appeal to compositionality).
/// </summary>
internal static class ModelOracle
{
    public static bool IsLinearizable<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model, IReadOnlyList<ModelOperation<TInput, TOutput>> history)
        where TOutput : class
    {
        var returned = history.Where(o => o.ReturnedAt is not null).ToList();
        var pending = history.Where(o => o.ReturnedAt is null).ToList();
        for (var mask = 0; mask < 1 << pending.Count; mask++)
        {
            var chosen = returned.Concat(pending.Where((_, i) => (mask & (1 << i)) != 0)).ToList();
            if (SomeOrderWorks(model, chosen, ImmutableDictionary<string, TState>.Empty)) return true;
        }
        return false;
    }

    private static bool SomeOrderWorks<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model, List<ModelOperation<TInput, TOutput>> remaining, ImmutableDictionary<string, TState> states)
        where TOutput : class
    {
        if (remaining.Count == 0) return true;
        foreach (var next in remaining)
        {
            // Real time: next may go first only if no other remaining operation returned before it was called.
            if (remaining.Any(o => o != next && o.ReturnedAt is { } done && done < next.CalledAt)) continue;
            var partition = model.Partition(next.Input);
            var (ok, after) = model.Step(states.TryGetValue(partition, out var state) ? state : model.Init(), next.Input, next.Output);
            if (!ok) continue;
            if (SomeOrderWorks(model, remaining.Where(o => o != next).ToList(), states.SetItem(partition, after))) return true;
        }
        return false;
    }
}
