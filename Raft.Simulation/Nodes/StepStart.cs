using Raft.Core;

namespace Raft.Simulation.Nodes;

/// <summary>A node's role, term and commit index before a step, to record what the step changed.</summary>
internal readonly record struct StepStart(Role Role, long Term, long CommitIndex);
