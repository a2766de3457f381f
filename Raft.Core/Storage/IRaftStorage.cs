using Raft.Core.Effects;

namespace Raft.Core.Storage;

/// <summary>
/// Stable storage for one node. The node never writes it directly: the driver carries out the
/// node's persist effects with <see cref="Persist"/>, and reads it back with <see cref="Load"/> when
/// the node (re)starts.
/// </summary>
public interface IRaftStorage
{
    /// <summary>Everything stored so far.</summary>
    PersistentState Load();

    /// <summary>Carries out a <see cref="PersistHardState"/>, <see cref="PersistEntries"/> or <see cref="PersistSnapshot"/> effect; ignores other effects.</summary>
    void Persist(Effect effect);
}
