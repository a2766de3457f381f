namespace Raft.Simulation.Scenarios;

/// <summary>
/// Bad scenario input (a typo, an unknown command, a bad argument) or a failed <c>expect</c>,
/// reported as <c>file:line:column: message</c> so that editors can jump to it.
/// </summary>
public class ScenarioException(string file, int line, int column, string problem)
    : Exception($"{file}:{line}:{column}: {problem}")
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public int Column { get; } = column;

    public string Problem { get; } = problem;
}
