namespace Raft.Core;

/// <summary>The three roles of §5.1.</summary>
public enum Role
{
    Follower,
    Candidate,
    Leader,
}
