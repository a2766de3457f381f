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

    /// <summary>A node's commit index lies beyond the end of the log it wrote: it claims entries committed that it does not hold.</summary>
    CommitIndexWithinLog,

    /// <summary>
    /// What a node writes and reports about its log is one log: its writes leave no gap and put each
    /// entry at its own index, the log it reports is the one it wrote, and the digest a snapshot
    /// carries names its prefix (one digest per committed prefix, a different one for each).
    /// </summary>
    LogWellFormed,

    /// <summary>
    /// A vote, an acknowledgement, or an answer to a client left before the writes it depends on were
    /// durable (thesis §3.8): checked against the node's disk at the moment of release.
    /// </summary>
    PersistBeforeSend,
    Linearizability,
    Liveness,

    /// <summary>The node under test threw an exception (an assertion of its own failed).</summary>
    CoreInvariant,
    /// <summary>
    /// In a calm run (no faults at all, a reliable network, no membership changes) the cluster
    /// elects one leader and keeps it: a second election means something deposed a leader that
    /// nothing should have (a follower that does not reset its timer, a candidate that ignores a
    /// leader of its term...). Checked only when <see cref="SimulationOptions.ExpectStableLeader"/> is set.
    /// </summary>
    LeaderStability,

    /// <summary>
    /// While faults go on: a majority that has been up, connected both ways and cut off from the
    /// other running servers for a while (<see cref="SimulationOptions.ProgressWindowTimeouts"/>
    /// election timeouts), with something to commit, commits it (<see cref="ProgressChecker"/>).
    /// </summary>
    Progress,
}
