using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Benchmarks.Histories;

/// <summary>
/// Linearizable key-value histories by construction, for timing the checker: clients issue
/// operations one after another, each over a random interval that overlaps other clients'; each
/// takes effect at a random instant inside its interval, and the answers come from a real
/// <see cref="KvStateMachine"/> run in the order of those instants. Writes leave values never seen
/// before (fresh puts, fresh appended suffixes), as in the kvraft lab's tests, so a value once
/// overwritten never comes back. A few operations never get a reply; half of those still take effect.
/// </summary>
public static class ConcurrentKvHistory
{
    /// <summary>A legal history of <paramref name="operationCount"/> operations, ids in call order.</summary>
    public static List<ClientOperation> Legal(int seed, int operationCount, int keyCount, int clientCount, double pendingFraction = 0.01)
    {
        var random = new Random(seed);
        var planned = new List<Planned>(operationCount);
        var fresh = 0;
        for (var client = 1; client <= clientCount; client++)
        {
            var clock = 0L;
            var count = operationCount / clientCount + (client <= operationCount % clientCount ? 1 : 0);
            for (var sequence = 1; sequence <= count; sequence++)
            {
                var invoked = clock + random.Next(0, 20);
                var effect = invoked + random.Next(0, 100);
                var completed = effect + random.Next(0, 100);
                var key = $"k{random.Next(keyCount)}";
                var command = random.Next(10) switch
                {
                    < 5 => new KvCommand(client, sequence, KvOperation.Get, key),
                    < 7 => new KvCommand(client, sequence, KvOperation.Put, key, $"v{++fresh}"),
                    _ => new KvCommand(client, sequence, KvOperation.Append, key, $"+{++fresh}"),
                };
                var pending = random.NextDouble() < pendingFraction;
                planned.Add(new Planned(client, command, invoked, effect, pending ? null : completed, TakesEffect: !pending || random.Next(2) == 0));
                clock = completed + 1;
            }
        }

        var store = new KvStateMachine();
        var results = new KvResult?[planned.Count];
        foreach (var i in Enumerable.Range(0, planned.Count).OrderBy(i => planned[i].EffectAt).ThenBy(i => planned[i].Client))
        {
            if (planned[i].TakesEffect) results[i] = store.Execute(planned[i].Command);
        }
        return Enumerable.Range(0, planned.Count)
            .OrderBy(i => planned[i].InvokedAt).ThenBy(i => planned[i].Client)
            .Select((i, id) => new ClientOperation(id, planned[i].Client, planned[i].Command, planned[i].InvokedAt,
                planned[i].CompletedAt, planned[i].CompletedAt is null ? null : results[i]))
            .ToList();
    }

    /// <summary>
    /// Makes one read illegal by giving it a stale answer: the value left by a write that completed
    /// before another write of the same key was called, which in turn completed before the read was
    /// called. Every order that respects real time puts the overwrite between the two, and values
    /// never repeat, so no linearization gives the read that value. The read is chosen in the last
    /// quarter of the history (so the search has work to do before it finds it). Returns its id.
    /// </summary>
    public static long InjectStaleRead(List<ClientOperation> history, int seed)
    {
        var random = new Random(seed);
        var writesByKey = history
            .Where(o => o.Command.Operation != KvOperation.Get && o.Result is not null)
            .GroupBy(o => o.Command.Key)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.CompletedAt).ToList());
        var reads = history.Skip(history.Count * 3 / 4).Where(o => o.Command.Operation == KvOperation.Get && o.Result is not null).ToList();
        while (reads.Count > 0)
        {
            var read = reads[random.Next(reads.Count)];
            reads.Remove(read);
            if (!writesByKey.TryGetValue(read.Command.Key, out var writes)) continue;
            var overwrite = writes.LastOrDefault(w => w.CompletedAt < read.InvokedAt);
            var stale = overwrite is null ? null : writes.LastOrDefault(w => w.CompletedAt < overwrite.InvokedAt);
            if (stale is null) continue;
            var index = history.FindIndex(o => o.Id == read.Id);
            history[index] = read with { Result = new KvResult(true, stale.Result!.Value) };
            return read.Id;
        }
        throw new InvalidOperationException("no read in the history can be made stale");
    }

    private sealed record Planned(long Client, KvCommand Command, long InvokedAt, long EffectAt, long? CompletedAt, bool TakesEffect);
}
