namespace Raft.Simulation;

/// <summary>How the simulated servers answer a client's get.</summary>
public enum ReadMode
{
    /// <summary>The get goes through the log like a write: linearizable, but costs an entry and a disk write.</summary>
    Log,

    /// <summary>The leader confirms leadership with a round of heartbeats before serving (thesis §6.4).</summary>
    ReadIndex,

    /// <summary>The leader serves at once while it holds a lease (thesis §6.4.1): safe only with bounded clock drift.</summary>
    Lease,
}
