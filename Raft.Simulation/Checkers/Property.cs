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

    /// <summary>
    /// A vote, an acknowledgement, or an answer to a client left before the writes it depends on were
    /// durable (thesis §3.8): checked against the node's disk at the moment of release.
    /// </summary>
    PersistBeforeSend,
    Linearizability,
    Liveness,

    /// <summary>The node under test threw an exception (an assertion of its own failed).</summary>
    CoreInvariant,
}
