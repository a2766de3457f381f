namespace Raft.Core.Messages;

/// <summary>
/// A message between servers. <see cref="Id"/> is unique among the messages one sender sends
/// (per incarnation, given a distinct starting id); responses name the request they answer with
/// <c>InReplyTo</c>, which lets the trace draw arrows and the leader match pipelined replies.
/// </summary>
public abstract record Message(NodeId From, NodeId To, long Term, long Id)
{
    /// <summary>A short name of the message type, for traces.</summary>
    public abstract string Kind { get; }
}
