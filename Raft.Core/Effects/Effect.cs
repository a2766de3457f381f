namespace Raft.Core.Effects;

/// <summary>
/// Something the node asks its driver to do. A step returns effects in the order the driver must
/// carry them out, and that order is part of the contract:
/// <list type="number">
/// <item><see cref="PersistHardState"/> and <see cref="PersistEntries"/> must be durable (written
/// and, on a real disk, synced) before any effect that follows them;</item>
/// <item><see cref="Send"/> may then be handed to the network: a vote or an acknowledgement
/// never leaves before the state it promises is stored (thesis §3.8);</item>
/// <item><see cref="ApplyEntry"/> gives committed entries to the state machine, in index order,
/// each exactly once per incarnation of the node.</item>
/// </list>
/// A driver that batches several persists into one sync must do the sync before the first send
/// that follows them.
/// </summary>
public abstract record Effect;
