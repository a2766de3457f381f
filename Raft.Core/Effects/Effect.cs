namespace Raft.Core.Effects;

/// <summary>
/// Something the node asks its driver to do. A step returns effects in the order the driver must
/// carry them out, and that order is part of the contract:
/// <list type="number">
/// <item><see cref="PersistHardState"/>, <see cref="PersistEntries"/> and <see cref="PersistSnapshot"/>
/// must be durable (written and, on a real disk, synced) before any effect that follows them;</item>
/// <item><see cref="Send"/> may then be handed to the network: a vote or an acknowledgement
/// never leaves before the state it promises is stored (thesis §3.8);</item>
/// <item><see cref="ApplyEntry"/> gives committed entries to the state machine, in index order,
/// each exactly once per incarnation of the node; <see cref="RestoreSnapshot"/> replaces the state
/// machine with a snapshot installed from the leader, and entries after it are applied as usual.
/// After a restart from a stored snapshot the driver restores the state machine from it itself
/// (the node starts with its snapshot's entries committed and applied).</item>
/// </list>
/// A driver that batches several persists into one sync must do the sync before the first send
/// that follows them.
/// </summary>
public abstract record Effect;
