using Raft.Core.StateMachine;

namespace Raft.Simulation.Tracing;

/// <summary>What a client's completed operation returned.</summary>
public sealed record ClientOutcome(KvCommand Command, KvResult Result);
