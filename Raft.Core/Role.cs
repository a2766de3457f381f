namespace Raft.Core;

/// <summary>The three roles of §5.1, and the pre-candidate of PreVote (thesis §9.6).</summary>
public enum Role
{
    Follower,
    Candidate,
    Leader,

    /// <summary>Asking for pre-votes before a real election (thesis §9.6); its term is unchanged.</summary>
    PreCandidate,
}
