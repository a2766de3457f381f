using Raft.Core;
using Raft.Core.StateMachine;

namespace Raft.Net.Wire;

/// <summary>
/// A node's answer to a <see cref="ClientRequest"/>. <see cref="Result"/> is present exactly when
/// <see cref="Status"/> is <see cref="ClientStatus.Ok"/>; <see cref="LeaderHint"/> is the node this
/// one believes to be leader, when it knows one.
/// </summary>
public sealed record ClientResponse(long RequestId, ClientStatus Status, KvResult? Result, NodeId? LeaderHint);
