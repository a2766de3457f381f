namespace Raft.Simulation.Execution;

/// <summary>
/// Deliberate mistakes of the driver rather than of the core, to show that the durability check
/// has teeth (like the core's teaching bugs). <see cref="None"/> is the correct executor.
/// </summary>
public enum DriverBug
{
    None,

    /// <summary>
    /// The executor this project once had: a message waits only for the writes of its own step, and
    /// applies and answers never wait. A vote granted again to a duplicate request, or an
    /// acknowledgement of entries already in the log, then leaves before the write it promises is
    /// durable, and a one-voter leader answers a client before its entry is stored.
    /// </summary>
    ReleaseBeforeSync,
}
