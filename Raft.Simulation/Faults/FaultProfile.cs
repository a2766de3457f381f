namespace Raft.Simulation.Faults;

/// <summary>Families of faults that <see cref="FaultScheduleGenerator"/> draws from.</summary>
public enum FaultProfile
{
    /// <summary>A reliable network and no faults.</summary>
    None,

    /// <summary>Message loss, duplication and reordering.</summary>
    Unreliable,

    /// <summary>Partitions, isolations and one-way cuts that come and go.</summary>
    Partitions,

    /// <summary>Crashes and restarts.</summary>
    Crashes,

    /// <summary>All of the above, plus pauses and clock drift.</summary>
    Chaos,
}
