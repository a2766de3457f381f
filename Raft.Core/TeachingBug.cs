namespace Raft.Core;

/// <summary>
/// Deliberately wrong variants of the core, for bug-hunt exercises and for proving that the
/// safety checks have teeth. <see cref="None"/> is the correct algorithm; every other value
/// switches off exactly one rule, at one clearly marked place in the code (search for the name).
/// </summary>
public enum TeachingBug
{
    /// <summary>The correct algorithm.</summary>
    None,

    /// <summary>Grant votes without the election restriction (§5.4.1): a candidate with a stale log can win.</summary>
    VoteWithoutLogCheck,

    /// <summary>Commit entries of earlier terms by counting replicas, the mistake Figure 8 warns about (§5.4.2).</summary>
    CommitOldTermByCounting,

    /// <summary>Lose votedFor on restart, so a node can vote twice in one term (Figure 2: votedFor is persistent).</summary>
    ForgetVoteOnRestart,

    /// <summary>Accept AppendEntries whenever prevLogIndex exists, without comparing prevLogTerm (§5.3 consistency check).</summary>
    SkipPrevLogTermCheck,

    /// <summary>A leader that sees a higher term adopts it but stays leader (§5.1: it must step down).</summary>
    LeaderIgnoresHigherTerm,

    /// <summary>A follower treats every entry it appends as committed and applies it at once (§5.3: apply only committed entries).</summary>
    ApplyBeforeCommit,

    /// <summary>Send replies before the state they promise is persisted (thesis §3.8).</summary>
    ReplyBeforePersist,

    /// <summary>A pre-vote request makes its receiver adopt the higher term, so PreVote no longer protects a stable leader (thesis §9.6).</summary>
    PreVoteAdoptsTerm,

    /// <summary>A leader answers reads at once without confirming it is still leader, so a deposed leader serves stale reads (thesis §6.4).</summary>
    ReadWithoutQuorumCheck,

    /// <summary>A leader starts a membership change while the previous one is uncommitted, so two configurations with disjoint majorities can both elect a leader (thesis §4.1).</summary>
    OverlappingMembershipChanges,

    /// <summary>A snapshot records the start-up membership instead of the one in force, so a server restored from it counts votes in the wrong configuration (§7, thesis §5.1).</summary>
    SnapshotForgetsConfiguration,
}
