using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Tests.Linearizability;

/// <summary>
/// Legal key-value histories in which every write leaves a value never seen before (puts write
/// fresh values, appends add fresh suffixes), so that a stale value can never become current again.
/// </summary>
internal static class UniqueValueHistory
{
    public static List<ClientOperation> Legal(int seed, int operationCount, int keyCount, int clientCount)
    {
        var random = new Random(seed);
        var planned = new List<(long Client, KvCommand Command, long InvokedAt, long EffectAt, long CompletedAt)>();
        var fresh = 0;
        for (var client = 1; client <= clientCount; client++)
        {
            var clock = 0L;
            for (var sequence = 1; sequence <= operationCount / clientCount; sequence++)
            {
                var invoked = clock + random.Next(0, 20);
                var effect = invoked + random.Next(0, 50);
                var completed = effect + random.Next(0, 50);
                var key = $"k{random.Next(keyCount)}";
                var command = random.Next(4) switch
                {
                    0 or 1 => new KvCommand(client, sequence, KvOperation.Get, key),
                    2 => new KvCommand(client, sequence, KvOperation.Put, key, $"v{++fresh}"),
                    _ => new KvCommand(client, sequence, KvOperation.Append, key, $"+{++fresh}"),
                };
                planned.Add((client, command, invoked, effect, completed));
                clock = completed + 1;
            }
        }
        var store = new KvStateMachine();
        var results = new KvResult[planned.Count];
        foreach (var i in Enumerable.Range(0, planned.Count).OrderBy(i => planned[i].EffectAt).ThenBy(i => planned[i].Client))
        {
            results[i] = store.Execute(planned[i].Command);
        }
        return Enumerable.Range(0, planned.Count)
            .OrderBy(i => planned[i].InvokedAt).ThenBy(i => planned[i].Client)
            .Select((i, id) => new ClientOperation(id, planned[i].Client, planned[i].Command, planned[i].InvokedAt, planned[i].CompletedAt, results[i]))
            .ToList();
    }

    /// <summary>
    /// Makes one read return a stale value: one written by a write that completed before another
    /// write of the same key was called, which in turn completed before the read was called. Every
    /// order that respects real time puts the overwrite between the two, and values never repeat, so
    /// the read is illegal. Returns the changed read.
    /// </summary>
    public static ClientOperation InjectStaleRead(List<ClientOperation> history, Random random)
    {
        var writes = history.Where(o => o.Command.Operation != KvOperation.Get).ToList();
        var candidates = (
            from read in history
            where read.Command.Operation == KvOperation.Get
            from overwrite in writes
            where overwrite.Command.Key == read.Command.Key && overwrite.CompletedAt < read.InvokedAt
            from stale in writes
            where stale.Command.Key == read.Command.Key && stale.CompletedAt < overwrite.InvokedAt
            select (read, stale.Result!.Value)).Distinct().ToList();
        Assert.That(candidates, Is.Not.Empty, "the history has a read that can be made stale");
        var (target, value) = candidates[random.Next(candidates.Count)];
        var injected = target with { Result = new KvResult(true, value) };
        history[(int)target.Id] = injected;
        return injected;
    }
}
