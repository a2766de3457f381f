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
    /// <summary>A scenario or a test threw a message in flight away (a drop by hand).</summary>
    DroppedByHand,
}
