namespace Raft.Simulation.Scenarios;

/// <summary>A parsed scenario file: its original lines and its commands in order.</summary>
public sealed record ScenarioScript(string File, IReadOnlyList<string> Lines, IReadOnlyList<ScenarioCommand> Commands);
