using Raft.Core.StateMachine;

namespace Raft.Simulation.History;

/// <summary>Records invocations and completions of client operations, in the order they happen.</summary>
public sealed class OperationHistory
{
    private readonly List<ClientOperation> operations = [];

    public IReadOnlyList<ClientOperation> Operations => operations;

    /// <summary>Records an invocation and returns its id.</summary>
    public long Invoke(long clientId, KvCommand command, long time)
    {
        var id = operations.Count;
        operations.Add(new ClientOperation(id, clientId, command, time, null, null));
        return id;
    }

    public void Complete(long id, KvResult result, long time)
    {
        var op = operations[(int)id];
        if (op.IsComplete) throw new InvalidOperationException($"operation {id} completed twice");
        operations[(int)id] = op with { CompletedAt = time, Result = result };
    }

    public int CompletedCount => operations.Count(o => o.IsComplete);

    public int PendingCount => operations.Count(o => !o.IsComplete);
}
