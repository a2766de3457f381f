using Raft.Core;
using Raft.Core.Randomness;
using Raft.Core.Storage;

namespace Raft.Simulation;

/// <summary>What the simulator gives a node factory to (re)start a node: the core under test is pluggable.</summary>
public sealed record NodeSpec(NodeId Id, IReadOnlyList<NodeId> Members, RaftOptions Options, IRandomSource Random, PersistentState Persisted, long FirstMessageId);
