using Raft.Core.Messages;

namespace Raft.Core.Effects;

/// <summary>Hand a message to the network (which may lose, delay or duplicate it).</summary>
public sealed record Send(Message Message) : Effect
{
    public override string ToString() => $"send {Message}";
}
