namespace Raft.Net.Chat;

/// <summary>How a chat's connection to the cluster is doing, as its status line shows it.</summary>
public enum ChatConnectionState
{
    /// <summary>No node has answered yet.</summary>
    Connecting,

    /// <summary>The last request was answered.</summary>
    Connected,

    /// <summary>The last attempt went unanswered or found no leader: trying the next node.</summary>
    Retrying,

    /// <summary>A node answered Rejected: the request was invalid or stale, and retrying cannot help.</summary>
    Rejected,
}
