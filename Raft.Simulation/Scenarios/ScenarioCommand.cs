namespace Raft.Simulation.Scenarios;

/// <summary>
/// One command of a scenario file: its words, where it is, and the output block that followed it
/// (<see cref="Expected"/> is null when the command had no <c>----</c> block).
/// </summary>
public sealed record ScenarioCommand(
    string File, int Line, IReadOnlyList<ScenarioToken> Tokens, string? Expected,
    int BlockStartLine, int BlockEndLine)
{
    /// <summary>The command word, e.g. <c>deliver</c>.</summary>
    public string Name => Tokens[0].Text;

    /// <summary>The words after the command word.</summary>
    public IReadOnlyList<ScenarioToken> Arguments => Tokens.Skip(1).ToArray();

    /// <summary>The command as written.</summary>
    public string Text => string.Join(' ', Tokens.Select(t => t.Text));

    public ScenarioException Error(ScenarioToken at, string problem) => new(File, Line, at.Column, problem);

    public ScenarioException Error(string problem) => new(File, Line, Tokens[0].Column, problem);
}
