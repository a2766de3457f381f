using Raft.Core.Log;
using Raft.Core.StateMachine;

namespace Raft.Simulation.Grading;

/// <summary>
/// Wraps the key-value store under test (lab 5). Whatever it throws becomes an
/// <see cref="InvalidOperationException"/> naming the store and the call, so a failing store is
/// that seed's failure with a message a student can act on, never a crashed grader. An answer that
/// does not decode as a <see cref="KvResult"/> is caught here too, where the student can see whose it is.
/// </summary>
internal sealed class GuardedStore(IKeyValueStore inner) : IKeyValueStore
{
    public IReadOnlyDictionary<string, string> Values =>
        Guard(() => inner.Values, "Values") ?? throw new InvalidOperationException("the key-value store's Values is null");

    public byte[] Apply(LogEntry entry)
    {
        var result = Guard(() => inner.Apply(entry), $"Apply(entry {entry.Index})") ?? throw new InvalidOperationException($"the key-value store returned null from Apply(entry {entry.Index})");
        if (entry.Kind != EntryKind.Command) return result;
        try
        {
            KvResult.Decode(result);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"the key-value store's answer to entry {entry.Index} is not an encoded KvResult ({e.Message})", e);
        }
        return result;
    }

    public byte[] Snapshot() => Guard(inner.Snapshot, "Snapshot()") ?? throw new InvalidOperationException("the key-value store returned null from Snapshot()");

    public void Restore(byte[] snapshot) => Guard(() => { inner.Restore(snapshot); return true; }, "Restore(snapshot)");

    private static T Guard<T>(Func<T> call, string what)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"the key-value store threw {e.GetType().Name} from {what}: {e.Message}", e);
        }
    }
}
