using Raft.Core.Log;
using Raft.Core.StateMachine;

namespace Raft.Tests.Grading;

/// <summary>
/// A key-value store that forgets who asked: every command runs as if from a client never seen
/// before, so a retried write applies again (thesis §6.3 is missing). It runs the reference store
/// underneath, so the only difference is the missing deduplication.
/// </summary>
public sealed class NoSessionStore : IKeyValueStore
{
    private readonly KvStateMachine inner = new();
    private long strangers;

    public IReadOnlyDictionary<string, string> Values => inner.Values;

    public byte[] Apply(LogEntry entry)
    {
        if (entry.Kind != EntryKind.Command) return [];
        var command = KvCommand.Decode(entry.Command);
        return inner.Execute(command with { ClientId = long.MaxValue - ++strangers, Sequence = 1 }).Encode();
    }

    public byte[] Snapshot() => inner.Snapshot();

    public void Restore(byte[] snapshot) => inner.Restore(snapshot);
}

/// <summary>
/// A key-value store whose snapshot holds the values but not the client sessions: after a server
/// restores it, a retry of a write already applied before the snapshot applies again.
/// </summary>
public sealed class SessionlessSnapshotStore : IKeyValueStore
{
    private KvStateMachine inner = new();

    public IReadOnlyDictionary<string, string> Values => inner.Values;

    public byte[] Apply(LogEntry entry) => inner.Apply(entry);

    /// <summary>The values alone: they are written into a fresh store by one made-up client, whose session is all the snapshot keeps.</summary>
    public byte[] Snapshot()
    {
        var valuesOnly = new KvStateMachine();
        var sequence = 0L;
        foreach (var (key, value) in inner.Values)
            valuesOnly.Execute(new KvCommand(long.MaxValue, ++sequence, KvOperation.Put, key, value));
        return valuesOnly.Snapshot();
    }

    public void Restore(byte[] snapshot)
    {
        inner = new KvStateMachine();
        inner.Restore(snapshot);
    }
}

/// <summary>
/// A correct store except that it reports a key nobody wrote. No client reads that key and every
/// server reports the same, so only comparing the store with the committed log catches it.
/// </summary>
public sealed class GhostKeyStore : IKeyValueStore
{
    private readonly KvStateMachine inner = new();

    public IReadOnlyDictionary<string, string> Values => new SortedDictionary<string, string>(inner.Values.ToDictionary(), StringComparer.Ordinal) { ["ghost"] = "boo" };

    public byte[] Apply(LogEntry entry) => inner.Apply(entry);

    public byte[] Snapshot() => inner.Snapshot();

    public void Restore(byte[] snapshot) => inner.Restore(snapshot);
}
