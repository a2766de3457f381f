namespace Raft.Simulation.Scenarios;

/// <summary>
/// Reads the scenario format: one command per line; <c>#</c> starts a comment; a command may be
/// followed by a line <c>----</c> and the output it must produce, which runs to the next blank
/// line (or the end of the file). Only the layout is checked here; the interpreter checks each
/// command's words and reports mistakes at their column.
/// </summary>
public static class ScenarioParser
{
    public const string BlockMarker = "----";

    public static ScenarioScript ParseFile(string path) =>
        Parse(path, File.ReadAllText(path));

    public static ScenarioScript Parse(string file, string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        // A final newline does not make an extra empty line.
        if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1];
        var commands = new List<ScenarioCommand>();
        var i = 0;
        while (i < lines.Length)
        {
            var lineNumber = i + 1;
            var tokens = Tokenize(lines[i]);
            i++;
            if (tokens.Count == 0) continue;
            if (tokens[0].Text == BlockMarker)
                throw new ScenarioException(file, lineNumber, tokens[0].Column, "'----' block without a command before it");

            string? expected = null;
            int blockStart = 0, blockEnd = 0;
            if (i < lines.Length && lines[i].Trim() == BlockMarker)
            {
                blockStart = i + 1;
                i++;
                var body = new List<string>();
                while (i < lines.Length && lines[i].Trim().Length > 0)
                {
                    body.Add(lines[i].TrimEnd());
                    i++;
                }
                blockEnd = i; // the last line of the block, 1-based
                expected = string.Join('\n', body);
            }
            commands.Add(new ScenarioCommand(file, lineNumber, tokens, expected, blockStart, blockEnd));
        }
        return new ScenarioScript(file, lines, commands);
    }

    /// <summary>Splits a line into words with their columns, stopping at a <c>#</c> comment.</summary>
    public static IReadOnlyList<ScenarioToken> Tokenize(string line)
    {
        var tokens = new List<ScenarioToken>();
        var position = 0;
        while (position < line.Length)
        {
            if (char.IsWhiteSpace(line[position])) { position++; continue; }
            if (line[position] == '#') break;
            var start = position;
            while (position < line.Length && !char.IsWhiteSpace(line[position])) position++;
            tokens.Add(new ScenarioToken(line[start..position], start + 1));
        }
        return tokens;
    }
}
