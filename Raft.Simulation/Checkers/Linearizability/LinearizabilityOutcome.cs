namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>What a linearizability check concluded.</summary>
public enum LinearizabilityOutcome
{
    /// <summary>Some order of the operations respects real time and the sequential model.</summary>
    Linearizable,

    /// <summary>No such order exists.</summary>
    Violation,

    /// <summary>The search ran out of its step budget before it could decide.</summary>
    Unknown,
}
