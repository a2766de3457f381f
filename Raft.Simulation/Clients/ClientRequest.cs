using Raft.Core.StateMachine;

namespace Raft.Simulation.Clients;

/// <summary>A client's request to a server. <see cref="Attempt"/> tells retries of the same operation apart.</summary>
public sealed record ClientRequest(int Client, long OperationId, int Attempt, KvCommand Command);
