namespace Raft.Simulation.Tracing;

/// <summary>Which shape of its kind a <see cref="TraceEvent"/> has.</summary>
public enum TraceForm : byte
{
    Plain,
    LostAtSend,
    ReceiverDown,
    LinkCut,
    ByHand,
    Delayed,
    Restore,
    ReadConfirmed,
    SnapshotTaken,
}
