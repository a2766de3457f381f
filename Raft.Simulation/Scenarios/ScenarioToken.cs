namespace Raft.Simulation.Scenarios;

/// <summary>One word of a command line and the 1-based column where it starts.</summary>
public readonly record struct ScenarioToken(string Text, int Column)
{
    public override string ToString() => Text;
}
