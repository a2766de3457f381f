using Raft.Core.StateMachine;

namespace Raft.Simulation.History;

/// <summary>
/// One client operation as the outside world saw it: invoked at <see cref="InvokedAt"/>, and
/// either completed at <see cref="CompletedAt"/> with <see cref="Result"/>, or never completed
/// (timed out, client gave up, run ended): then it may or may not have taken effect.
/// Times are virtual microseconds (or any monotonic unit shared by the whole history).
/// </summary>
public sealed record ClientOperation(long Id, long ClientId, KvCommand Command, long InvokedAt, long? CompletedAt, KvResult? Result)
{
    public bool IsComplete => CompletedAt is not null && Result is not null;

    public override string ToString() => IsComplete
        ? $"op{Id} c{ClientId} [{InvokedAt}, {CompletedAt}] {Command.Operation} {Command.Key} -> {Result}"
        : $"op{Id} c{ClientId} [{InvokedAt}, ...] {Command.Operation} {Command.Key} (no reply)";
}
