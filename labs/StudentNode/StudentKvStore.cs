using Raft.Core.Log;
using Raft.Core.StateMachine;

namespace StudentNode;

/// <summary>
/// Lab 5 (optional), part A: the key-value service on top of your log (labs/lab5-kv-service.md,
/// thesis §6.3). Commands arrive as committed entries, each a <see cref="KvCommand"/> naming its
/// client and that client's sequence number; a client retries a command with the same number, so
/// the same command may be committed twice. Apply each command at most once, and answer a retry
/// with the answer the first execution gave. The simulator's own store is
/// <see cref="KvStateMachine"/>; compare yours with it (the handout says how), not copy it.
/// </summary>
public sealed class StudentKvStore : IKeyValueStore
{
    private readonly SortedDictionary<string, string> values = new(StringComparer.Ordinal);

    /// <summary>The store's contents, for tests.</summary>
    public IReadOnlyDictionary<string, string> Values => values;

    /// <summary>Applies one committed entry; returns the encoded <see cref="KvResult"/> (empty for a no-op).</summary>
    public byte[] Apply(LogEntry entry)
    {
        if (entry.Kind != EntryKind.Command) return [];
        var command = KvCommand.Decode(entry.Command);
        // TODO(lab 5) thesis §6.3: a session per client (its last sequence number and that
        // command's result). Which operations need deduplicating, and what is the answer to a
        // command older than the client's last one? Then run the operation (get, put, append,
        // compare-and-set; see KvOperation and KvResult for what each returns).
        return new KvResult(false, null).Encode();
    }

    /// <summary>The whole state, sessions included, encoded deterministically (§7: what a snapshot holds).</summary>
    public byte[] Snapshot()
    {
        // TODO(lab 5) why must the sessions be in the snapshot too?
        return [];
    }

    /// <summary>Replaces the state with a <see cref="Snapshot"/>'s bytes.</summary>
    public void Restore(byte[] snapshot)
    {
        // TODO(lab 5) the inverse of Snapshot.
        values.Clear();
    }
}
