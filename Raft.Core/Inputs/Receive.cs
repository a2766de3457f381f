using Raft.Core.Messages;

namespace Raft.Core.Inputs;

/// <summary>A message arrived from another server.</summary>
public sealed record Receive(Message Message) : Input
{
    public override string ToString() => $"receive {Message}";
}
