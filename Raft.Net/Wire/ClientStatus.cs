namespace Raft.Net.Wire;

/// <summary>How a node answered a client request. Values are part of the wire format: never renumber.</summary>
public enum ClientStatus
{
    /// <summary>The command was committed and applied; the response carries its result.</summary>
    Ok = 0,

    /// <summary>This node is not the leader; retry at the response's leader hint (when known).</summary>
    NotLeader = 1,

    /// <summary>The command was not committed in time; it may still commit later, so retry with the same sequence.</summary>
    Timeout = 2,

    /// <summary>The node is busy (too many requests in flight, or a leadership transfer under way); retry later.</summary>
    Busy = 3,

    /// <summary>The request was refused as invalid (for example a put without a value).</summary>
    Rejected = 4,
}
