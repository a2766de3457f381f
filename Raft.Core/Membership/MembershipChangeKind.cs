namespace Raft.Core.Membership;

/// <summary>The single-server membership changes a leader accepts (thesis §4.1, §4.2.1).</summary>
public enum MembershipChangeKind
{
    /// <summary>
    /// Add a server as a voter. A server that is not yet a member joins first as a learner; the
    /// leader promotes it to voter once it has caught up with the committed log (§4.2.1), so that
    /// a new, empty server never holds up commitment.
    /// </summary>
    AddVoter,

    /// <summary>Add a server as a learner: it receives the log but does not vote.</summary>
    AddLearner,

    /// <summary>Remove a voter or learner, possibly the leader itself (§4.2.2).</summary>
    Remove,
}
