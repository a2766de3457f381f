using Raft.Core;
using Raft.Core.StateMachine;

namespace Raft.Simulation.Clients;

/// <summary>A server's answer: the result, or (Result null) "not the leader, try <see cref="LeaderHint"/>".</summary>
public sealed record ClientReply(int Client, long OperationId, int Attempt, KvResult? Result, NodeId? LeaderHint);
