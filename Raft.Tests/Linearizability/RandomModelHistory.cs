using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Tests.Linearizability;

/// <summary>
/// Linearizable histories of any model by construction, like <see cref="RandomHistory"/>: clients
/// call one operation after another with random overlapping intervals, each takes effect at a
/// random instant inside its interval, and the answers come from applying the operations in the
/// order of those instants. Some operations never return (half of those still take effect); some
/// return without their answer recorded.
/// </summary>
internal static class RandomModelHistory
{
    public static List<ModelOperation<TInput, TOutput>> Legal<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        Func<TState, TInput, (TOutput Output, TState State)> apply,
        Func<Random, TInput> nextInput,
        int seed, int operationCount, int clientCount, double pendingFraction = 0.1, double unrecordedFraction = 0.05)
        where TOutput : class
    {
        var random = new Random(seed);
        var planned = new List<(int Client, TInput Input, long CalledAt, long EffectAt, long? ReturnedAt, bool TakesEffect, bool Recorded)>();
        for (var client = 0; client < clientCount; client++)
        {
            var clock = 0L;
            for (var n = client; n < operationCount; n += clientCount)
            {
                var called = clock + random.Next(0, 20);
                var effect = called + random.Next(0, 50);
                var returned = effect + random.Next(0, 50);
                var pending = random.NextDouble() < pendingFraction;
                planned.Add((client, nextInput(random), called, effect, pending ? null : returned,
                    TakesEffect: !pending || random.Next(2) == 0, Recorded: random.NextDouble() >= unrecordedFraction));
                clock = returned + 1;
            }
        }

        var states = new Dictionary<string, TState>();
        var outputs = new TOutput?[planned.Count];
        foreach (var i in Enumerable.Range(0, planned.Count).OrderBy(i => planned[i].EffectAt).ThenBy(i => planned[i].Client))
        {
            var p = planned[i];
            if (!p.TakesEffect) continue;
            var partition = model.Partition(p.Input);
            var (output, next) = apply(states.TryGetValue(partition, out var state) ? state : model.Init(), p.Input);
            states[partition] = next;
            if (p.ReturnedAt is not null && p.Recorded) outputs[i] = output;
        }
        return Enumerable.Range(0, planned.Count)
            .OrderBy(i => planned[i].CalledAt).ThenBy(i => planned[i].Client)
            .Select((i, id) => new ModelOperation<TInput, TOutput>(id, planned[i].Input, outputs[i], planned[i].CalledAt, planned[i].ReturnedAt))
            .ToList();
    }

    /// <summary>Replaces one recorded answer by another answer seen in the history (possibly the same one).</summary>
    public static void Corrupt<TInput, TOutput>(List<ModelOperation<TInput, TOutput>> history, Random random)
        where TOutput : class
    {
        var answered = Enumerable.Range(0, history.Count).Where(i => history[i].Output is not null).ToList();
        if (answered.Count == 0) return;
        var index = answered[random.Next(answered.Count)];
        var outputs = answered.Select(i => history[i].Output).ToList();
        history[index] = history[index] with { Output = outputs[random.Next(outputs.Count)] };
    }
}
