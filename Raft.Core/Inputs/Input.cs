namespace Raft.Core.Inputs;

/// <summary>
/// Everything that can happen to a node. The driver feeds inputs one at a time to
/// <see cref="Node.IRaftNode.Step(Input)"/>; the node answers with effects. Recording the inputs is
/// enough to replay a node exactly.
/// </summary>
public abstract record Input;
