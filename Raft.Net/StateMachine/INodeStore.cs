using Raft.Core.Log;
using Raft.Core.StateMachine;

namespace Raft.Net.StateMachine;

/// <summary>
/// The key-value state machine as a node process runs it: <see cref="KvStateMachine"/>'s commands,
/// results and client sessions (thesis §6.3), plus how far it has applied. The host needs only a
/// point lookup for reads (<see cref="Get"/>), not <see cref="IKeyValueStore.Values"/>, which a store
/// on disk could give only by reading every row.
/// </summary>
public interface INodeStore : IDisposable
{
    /// <summary>
    /// The index of the last log entry whose effects the store holds (0 for none). A durable store
    /// remembers it across restarts, so the host does not apply again the entries the core re-delivers.
    /// </summary>
    long LastApplied { get; }

    /// <summary>Applies entry <see cref="LastApplied"/> + 1 and returns its encoded <see cref="KvResult"/> (empty for a no-op).</summary>
    byte[] Apply(LogEntry entry);

    /// <summary>Whether the command is older than its client's last applied write (see <see cref="KvStateMachine.IsStale"/>).</summary>
    bool IsStale(KvCommand command);

    /// <summary>The key's value, or null when absent: what a ReadIndex read answers (thesis §6.4).</summary>
    string? Get(string key);

    /// <summary>The whole state, <see cref="LastApplied"/> and the sessions included, for a Raft snapshot (§7).</summary>
    byte[] Snapshot();

    /// <summary>Replaces the state with a snapshot's; <see cref="LastApplied"/> becomes its last included index.</summary>
    void Restore(Snapshot snapshot);

    /// <summary>Throws if <see cref="Restore"/> would fail on this snapshot; changes nothing.</summary>
    void CheckRestorable(Snapshot snapshot);
}
