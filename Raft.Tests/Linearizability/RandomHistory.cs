using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Tests.Linearizability;

/// <summary>
/// Linearizable histories by construction: clients issue operations one after another with random
/// overlapping intervals; each operation takes effect at a random instant inside its interval, and
/// the answers come from running a real <see cref="KvStateMachine"/> in the order of those instants.
/// Some operations never get a reply; half of those still take effect.
/// </summary>
internal static class RandomHistory
{
    public static List<ClientOperation> Legal(int seed, int operationCount, int keyCount, int clientCount, double pendingFraction = 0.05)
    {
        var random = new Random(seed);
        var planned = Plan(random, operationCount, keyCount, clientCount, pendingFraction);

        var store = new KvStateMachine();
        var results = new KvResult?[planned.Count];
        var commands = new KvCommand[planned.Count];
        var byEffect = Enumerable.Range(0, planned.Count).OrderBy(i => planned[i].EffectAt).ThenBy(i => planned[i].Client);
        foreach (var i in byEffect)
        {
            var p = planned[i];
            store.Values.TryGetValue(p.Key, out var current);
            commands[i] = MakeCommand(random, p, current);
            if (p.TakesEffect) results[i] = store.Execute(commands[i]);
        }

        return Enumerable.Range(0, planned.Count)
            .OrderBy(i => planned[i].InvokedAt).ThenBy(i => planned[i].Client)
            .Select((i, id) => new ClientOperation(
                id, planned[i].Client, commands[i], planned[i].InvokedAt,
                planned[i].CompletedAt, planned[i].CompletedAt is null ? null : results[i]))
            .ToList();
    }

    private sealed record Planned(long Client, long Sequence, KvOperation Operation, string Key, long InvokedAt, long EffectAt, long? CompletedAt, bool TakesEffect);

    private static List<Planned> Plan(Random random, int operationCount, int keyCount, int clientCount, double pendingFraction)
    {
        var planned = new List<Planned>();
        for (var client = 1; client <= clientCount; client++)
        {
            var clock = 0L;
            var count = operationCount / clientCount + (client <= operationCount % clientCount ? 1 : 0);
            for (var sequence = 1; sequence <= count; sequence++)
            {
                var invoked = clock + random.Next(0, 20);
                var effect = invoked + random.Next(0, 50);
                var completed = effect + random.Next(0, 50);
                var pending = random.NextDouble() < pendingFraction;
                var operation = (KvOperation)random.Next(0, 4);
                var key = $"k{random.Next(keyCount)}";
                planned.Add(new Planned(client, sequence, operation, key, invoked, effect,
                    pending ? null : completed, TakesEffect: !pending || random.Next(2) == 0));
                clock = completed + 1;
            }
        }
        return planned;
    }

    private static KvCommand MakeCommand(Random random, Planned p, string? current) => p.Operation switch
    {
        KvOperation.Get => new KvCommand(p.Client, p.Sequence, p.Operation, p.Key),
        KvOperation.Put => new KvCommand(p.Client, p.Sequence, p.Operation, p.Key, $"c{p.Client}.{p.Sequence}"),
        KvOperation.Append => new KvCommand(p.Client, p.Sequence, p.Operation, p.Key, $"{p.Client}"),
        // Half the compare-and-sets expect the current value and succeed; the rest expect a stale one.
        _ => new KvCommand(p.Client, p.Sequence, p.Operation, p.Key, $"c{p.Client}.{p.Sequence}",
            random.Next(2) == 0 ? current : $"c{p.Client}.{p.Sequence - 1}"),
    };
}
