namespace Raft.Simulation.Checkers;

/// <summary>The properties the simulator checks (Figure 3 of the paper, plus a few of our own).</summary>
public enum Property
{
    ElectionSafety,
    LeaderAppendOnly,
    LogMatching,
    LeaderCompleteness,
    StateMachineSafety,
    CommitIndexMonotonic,
    AppliedIsCommittedPrefix,
    PersistedStateMonotonic,

    /// <summary>A vote or an append acknowledgement left before the state it promises was written (thesis §3.8).</summary>
    PersistBeforeSend,
    Linearizability,
    Liveness,

    /// <summary>The node under test threw an exception (an assertion of its own failed).</summary>
    CoreInvariant,
}
