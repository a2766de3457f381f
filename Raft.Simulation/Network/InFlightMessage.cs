using Raft.Core.Messages;

namespace Raft.Simulation.Network;

/// <summary>A message on the simulated wire, due at <see cref="DeliverAtMicros"/>. <see cref="Seq"/> is the network's own id for it.</summary>
public sealed record InFlightMessage(long Seq, Message Message, long SentAtMicros, long DeliverAtMicros, bool IsDuplicate)
{
    public override string ToString() => $"#{Seq} {Message}{(IsDuplicate ? " (dup)" : "")}";
}
