namespace Raft.Core.Effects;

/// <summary>Store currentTerm and votedFor durably, replacing what was stored.</summary>
public sealed record PersistHardState(HardState State) : Effect
{
    public override string ToString() => $"persist {State}";
}
