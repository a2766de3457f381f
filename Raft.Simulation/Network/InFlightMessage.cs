using Raft.Core.Messages;

namespace Raft.Simulation.Network;

/// <summary>
/// A message on the simulated wire, due at <see cref="DeliverAtMicros"/>. <see cref="Seq"/> is the
/// network's own id for it. A struct: a run puts thousands of copies on the wire, and the network's
/// table and the trace's events hold them in place, with no object per copy.
/// </summary>
public readonly record struct InFlightMessage(long Seq, Message Message, long SentAtMicros, long DeliverAtMicros, bool IsDuplicate)
{
    public override string ToString() => $"#{Seq} {Message}{(IsDuplicate ? " (dup)" : "")}";
}
