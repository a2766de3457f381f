namespace Raft.Simulation.Cli;

/// <summary>The verdict on one seed: passed, a property violated, or inconclusive (the linearizability search ran out of budget).</summary>
public enum SeedVerdict
{
    Ok,
    Violation,
    Inconclusive,
}
