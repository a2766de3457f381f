using Raft.Core.Log;

namespace Raft.Core.StateMachine;

/// <summary>
/// The replicated state machine. The driver applies each committed entry once, in index order,
/// and hands the result to the client that proposed it.
/// </summary>
public interface IStateMachine
{
    /// <summary>Applies a committed entry and returns the encoded result (empty for a no-op).</summary>
    byte[] Apply(LogEntry entry);

    /// <summary>The whole state, encoded deterministically.</summary>
    byte[] Snapshot();

    /// <summary>Replaces the state with a snapshot.</summary>
    void Restore(byte[] snapshot);
}
