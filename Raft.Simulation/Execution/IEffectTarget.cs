using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Messages;

namespace Raft.Simulation.Execution;

/// <summary>
/// What a driver does with one node's effects, as <see cref="EffectExecutor"/> hands them over in
/// order. Every effect someone outside the node can observe carries <c>afterWrite</c>: the number
/// of the node's last write that must be durable before the effect may be seen (0: none). The
/// target decides how to wait: a simulated disk gives the time the write becomes durable, a real
/// one is synced, an in-memory one is durable at once.
/// </summary>
public interface IEffectTarget
{
    /// <summary>
    /// Hands a write (hard state, entries or snapshot) to the disk; returns its number (1, 2, ... in
    /// the order issued), or 0 if it was durable before this returned (nothing need wait for it).
    /// </summary>
    long Write(Effect write);

    /// <summary>
    /// Puts the message on the network once write <paramref name="afterWrite"/> is durable. The
    /// effects are handed over as the core made them, so a target that holds one keeps it as it is.
    /// </summary>
    void Send(Send send, long afterWrite);

    /// <summary>
    /// Applies a committed entry to the state machine now (the node's own state), and answers the
    /// client waiting for it, if any, once write <paramref name="afterWrite"/> is durable.
    /// </summary>
    void Apply(ApplyEntry apply, long afterWrite);

    /// <summary>Replaces the state machine with a snapshot installed from the leader (§7), in order with the applies.</summary>
    void Restore(RestoreSnapshot restore, long afterWrite);

    /// <summary>A <see cref="ReadReady"/> or <see cref="ReadRefused"/>: its answer leaves once write <paramref name="afterWrite"/> is durable.</summary>
    void Read(Effect read, long afterWrite);
}
