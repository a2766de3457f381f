using Raft.Core;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// Runs a scenario file and compares, prints or rewrites its output blocks. A bad command or a
/// failed expectation ends the run with <see cref="Error"/>; mismatches do not end it.
/// </summary>
public sealed class ScenarioRun
{
    private ScenarioRun(ScenarioScript script, IReadOnlyList<string> outputs, ScenarioException? error)
    {
        Script = script;
        Outputs = outputs;
        Error = error;
    }

    public ScenarioScript Script { get; }

    /// <summary>The output of each command that ran, in order (fewer than the commands if the run stopped early).</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>What stopped the run, or null if every command ran.</summary>
    public ScenarioException? Error { get; }

    /// <summary>Runs every command of <paramref name="script"/>; <paramref name="onCommand"/> sees each command and its output as it happens.</summary>
    public static ScenarioRun Execute(ScenarioScript script, TeachingBug? bug = null, Action<ScenarioCommand, string>? onCommand = null)
    {
        var interpreter = new ScenarioInterpreter(bug);
        var outputs = new List<string>();
        foreach (var command in script.Commands)
        {
            string output;
            try
            {
                output = interpreter.Execute(command);
            }
            catch (ScenarioException e)
            {
                return new ScenarioRun(script, outputs, e);
            }
            outputs.Add(output);
            onCommand?.Invoke(command, output);
        }
        return new ScenarioRun(script, outputs, null);
    }

    /// <summary>
    /// A unified-style diff for each command whose output differs from its block. A command without
    /// a block is not compared (a block is optional: scenarios/README.md); its expectations still count.
    /// </summary>
    public IReadOnlyList<string> Mismatches()
    {
        var diffs = new List<string>();
        for (var i = 0; i < Outputs.Count; i++)
        {
            var command = Script.Commands[i];
            if (command.Expected is null || command.Expected == Outputs[i]) continue;
            var header = $"{command.File}:{command.Line}: {command.Text}";
            diffs.Add($"--- {header} (expected)\n+++ {header} (actual)\n{LineDiff.Unified(command.Expected.Split('\n'), Outputs[i].Split('\n'))}");
        }
        return diffs;
    }

    /// <summary>The file with every command's block replaced by its actual output (only for a run that finished).</summary>
    public string Rewritten()
    {
        if (Error is not null) throw new InvalidOperationException("cannot rewrite a scenario that did not run to its end");
        var text = new List<string>();
        var line = 1;
        for (var i = 0; i < Script.Commands.Count; i++)
        {
            var command = Script.Commands[i];
            while (line <= command.Line) text.Add(Script.Lines[line++ - 1]);
            text.Add(ScenarioParser.BlockMarker);
            text.AddRange(Outputs[i].Split('\n'));
            if (command.Expected is not null) line = command.BlockEndLine + 1;
            // A block ends at a blank line; keep one after every block.
            if (line > Script.Lines.Count || Script.Lines[line - 1].Trim().Length > 0) text.Add("");
        }
        while (line <= Script.Lines.Count) text.Add(Script.Lines[line++ - 1]);
        while (text.Count > 0 && text[^1].Length == 0) text.RemoveAt(text.Count - 1);
        return string.Join('\n', text) + "\n";
    }
}
