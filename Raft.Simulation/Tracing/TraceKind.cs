namespace Raft.Simulation.Tracing;

/// <summary>What a trace event records.</summary>
public enum TraceKind
{
    Timeout,
    Send,
    Deliver,
    Drop,
    Duplicate,
    Role,
    Term,
    Append,
    Commit,
    Apply,
    Crash,
    Restart,
    Pause,
    Resume,
    Partition,
    Heal,
    Network,
    ClientCall,
    ClientReturn,
    Violation,
    Note,
    /// <summary>A node started again from what its disk kept (hard state, snapshot, log).</summary>
    Recover,
}
