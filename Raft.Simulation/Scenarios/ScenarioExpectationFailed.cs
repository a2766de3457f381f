namespace Raft.Simulation.Scenarios;

/// <summary>An <c>expect</c> command did not hold: the story went differently from what the file claims.</summary>
public sealed class ScenarioExpectationFailed(string file, int line, int column, string problem)
    : ScenarioException(file, line, column, problem);
