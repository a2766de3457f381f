using Raft.Core.Log;
using Raft.Core.StateMachine;

namespace Raft.Net.StateMachine;

/// <summary>
/// The in-memory store (<c>--store memory</c>, the default): a <see cref="KvStateMachine"/> that starts
/// empty at every start of the node, which then rebuilds it from its snapshot and its log.
/// </summary>
public sealed class MemoryKvStore : INodeStore
{
    private readonly KvStateMachine machine = new();

    public long LastApplied { get; private set; }

    public byte[] Apply(LogEntry entry)
    {
        var result = machine.Apply(entry);
        LastApplied = entry.Index;
        return result;
    }

    public bool IsStale(KvCommand command) => machine.IsStale(command);

    public string? Get(string key) => machine.Values.TryGetValue(key, out var value) ? value : null;

    public byte[] Snapshot() => machine.Snapshot();

    public void Restore(Snapshot snapshot)
    {
        machine.Restore(snapshot.Data);
        LastApplied = snapshot.LastIncludedIndex;
    }

    public void CheckRestorable(Snapshot snapshot) => new KvStateMachine().Restore(snapshot.Data);

    public void Dispose()
    {
    }
}
